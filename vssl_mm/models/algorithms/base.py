"""The algorithm contract every vssl_mm method follows."""
import inspect
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel

from vssl_mm.registry import MODELS
from ..necks.projection import pool_features

SampleList = Optional[List]


def check_keys(given: Iterable[str], valid: Iterable[str], what: str, hint: str = '') -> None:
    """Raise ``ValueError`` naming every key of ``given`` outside ``valid`` and listing
    the valid ones (nothing in a config is dropped silently)."""
    valid = sorted(set(valid))
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise ValueError(f'{what}: unknown key(s) {unknown}; valid keys are {valid}' +
                         (f' ({hint})' if hint else ''))


def check_loss_weights(weights: Optional[Dict[str, float]], valid: Iterable[str],
                       owner: str) -> Dict[str, float]:
    """Validate the keys of an algorithm's ``loss_weights``; returns a copy."""
    weights = dict(weights or {})
    check_keys(weights, valid, f'{owner}.loss_weights')
    return weights


def check_loss_cfg(cfg: Optional[dict],
                   owner: str,
                   arg: str,
                   used: Optional[Iterable[str]] = None,
                   hint: str = '') -> None:
    """Validate the keys of a loss (or loss-bearing head) config an algorithm receives.

    Valid keys are ``type`` plus ``used`` (when the algorithm reads only some of the
    built module's attributes, e.g. HDC takes ``temperature`` / ``gather`` /
    ``symmetric`` of an ``InfoNCELoss``), else the constructor arguments of the
    registered class (no check if it takes ``**kwargs``).
    """
    if cfg is None:
        return
    if used is None:
        cls = cfg.get('type')
        cls = MODELS.get(cls) if isinstance(cls, str) else cls
        if not inspect.isclass(cls):
            return  # the registry reports an unknown type when building
        params = inspect.signature(cls.__init__).parameters
        if any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return
        used = [n for n, p in params.items() if n != 'self' and p.kind != p.VAR_POSITIONAL]
    check_keys(cfg, set(used) | {'type'}, f'{owner}.{arg}', hint)


class BaseVideoModel(BaseModel):
    """A model on multi-view batches ``(N, V, C, T, H, W)``: the data preprocessor defaults
    to :class:`MultiViewDataPreprocessor` (ImageNet stats) and :meth:`forward` dispatches
    ``mode`` to :meth:`loss`, :meth:`predict` or :meth:`_forward` (``'tensor'``).

    Args:
        data_preprocessor: a config or module; None for the default.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiViewDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: SampleList = None,
                mode: str = 'tensor') -> Union[Dict, List, Tuple, torch.Tensor]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'Invalid mode "{mode}": use "loss", "predict" or "tensor".')

    def _forward(self, inputs: torch.Tensor):
        raise NotImplementedError

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def predict(self, inputs: torch.Tensor, data_samples: SampleList = None) -> List:
        raise NotImplementedError

    @staticmethod
    def _data_samples(data_samples: SampleList, n: int) -> List:
        """``data_samples``, or ``n`` empty ``ActionDataSample`` when None."""
        if data_samples is None:
            from mmaction.structures import ActionDataSample
            data_samples = [ActionDataSample() for _ in range(n)]
        return data_samples


class BaseVideoSSL(BaseVideoModel):
    """Base of all self-supervised video algorithms.

    Inputs are multi-view batches ``(N, V, C, T, H, W)`` (see
    :class:`MultiViewDataPreprocessor`).

    - :meth:`extract_feat` ``(B, C, T, H, W) -> tuple`` of the backbone's selected stages;
    - :meth:`loss` returns a dict of ``loss_<term>`` tensors (each is logged; mmengine sums
      the keys containing ``loss``) plus optional logged scalars;
    - :meth:`predict` returns the data samples with ``clip_features`` ``(V, D)`` (metainfo;
      mmaction2's ``ActionDataSample.features`` is reserved for ``InstanceData``): the pooled
      stage ``feature_stage`` of each view (clip), for retrieval and feature extraction.

    Args:
        backbone: backbone config (any mmaction2 or vssl_mm backbone).
        feature_stage: index into the backbone's output tuple used by :meth:`predict`.
        feature_pool: pooling for :meth:`predict` (``'avg'`` or ``'max'``).
        data_preprocessor: defaults to ``MultiViewDataPreprocessor`` (ImageNet stats).
    """

    def __init__(self,
                 backbone: dict,
                 feature_stage: int = -1,
                 feature_pool: str = 'avg',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.feature_stage = feature_stage
        self.feature_pool = feature_pool

    # ------------------------------------------------------------------ features
    def extract_feat(self, inputs: torch.Tensor, **kwargs) -> Tuple[torch.Tensor, ...]:
        """``(B, C, T, H, W)`` -> tuple of ``(B, C_s, T_s, H_s, W_s)`` stage maps."""
        if inputs.dim() != 5:
            raise ValueError('extract_feat expects (B, C, T, H, W), got shape '
                             f'{tuple(inputs.shape)}')
        out = self.backbone(inputs, **kwargs)
        if isinstance(out, torch.Tensor):
            out = (out, )
        return tuple(out)

    def extract_views(self,
                      inputs: torch.Tensor,
                      views: Optional[Sequence[int]] = None) -> Tuple[torch.Tensor, ...]:
        """Run the chosen views of ``(N, V, C, T, H, W)`` in one backbone pass.

        Returns stage maps of shape ``(N, V', C_s, T_s, H_s, W_s)``.
        """
        if views is not None:
            inputs = inputs[:, list(views)]
        n, v = inputs.shape[:2]
        feats = self.extract_feat(inputs.flatten(0, 1))
        return tuple(f.view(n, v, *f.shape[1:]) for f in feats)

    @torch.no_grad()
    def pooled_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(N, V, C, T, H, W)`` -> ``(N, V, D)`` pooled features of ``feature_stage``."""
        n, v = inputs.shape[:2]
        feat = self.extract_feat(inputs.flatten(0, 1))[self.feature_stage]
        return pool_features(feat, self.feature_pool).view(n, v, -1)

    # ------------------------------------------------------------------ modes
    def _forward(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """``'tensor'`` mode: stage maps of every view (6-D inputs) or clip (5-D)."""
        if inputs.dim() == 6:
            return self.extract_views(inputs)
        return self.extract_feat(inputs)

    def predict(self, inputs: torch.Tensor, data_samples: SampleList = None) -> List:
        """Attach ``clip_features`` ``(V, D)`` (one pooled vector per clip) to each sample."""
        feats = self.pooled_features(inputs)
        data_samples = self._data_samples(data_samples, inputs.shape[0])
        for sample, f in zip(data_samples, feats):
            sample.set_metainfo(dict(clip_features=f))
        return data_samples
