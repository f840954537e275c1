"""Downstream models: linear probe recognizer and head, feature extractor for retrieval.

- :class:`LinearProbeRecognizer3D`: mmaction2's ``Recognizer3D`` whose backbone is frozen
  (``requires_grad=False``) and kept in eval mode (BN statistics do not move) whatever
  ``train()`` is called with; only the head learns. Parameter names are unchanged
  (``backbone.*``), so exported backbones and full checkpoints load as usual.
- :class:`BNLinearHead`: global average pool -> BatchNorm1d (no affine) -> linear, the
  linear-probe head of the common evaluation protocol.
- :class:`VideoFeatureExtractor`: backbone only; ``predict`` attaches ``features`` ``(V, D)``
  (one pooled vector per clip) for :class:`~vssl_mm.evaluation.RetrievalMetric`. It loads
  full vssl_mm checkpoints (``backbone.*`` keys, the rest ignored) and exported
  backbone-only files, and refuses a checkpoint holding no backbone tensor instead of
  silently evaluating random weights (docs/design.md, pitfall 7).
"""
from typing import Dict

import torch
import torch.nn as nn
from mmaction.models.heads.base import BaseHead
from mmaction.models.recognizers import Recognizer3D
from mmengine.logging import print_log

from vssl_mm.registry import MODELS
from .algorithms.base import BaseVideoSSL


@MODELS.register_module()
class LinearProbeRecognizer3D(Recognizer3D):
    """``Recognizer3D`` with a frozen backbone in eval mode (linear probe)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        self.backbone.eval()

    def init_weights(self) -> None:
        super().init_weights()
        if getattr(self.backbone, 'pretrained', 'unknown') is None:
            print_log('LinearProbeRecognizer3D: backbone.pretrained is None, the probe '
                      'runs on a randomly initialised backbone (set model.backbone.'
                      'pretrained=BACKBONE.pth or load_from=SSL_CKPT)', logger='current',
                      level=30)

    def train(self, mode: bool = True) -> 'LinearProbeRecognizer3D':
        super().train(mode)
        self.backbone.eval()
        return self


@MODELS.register_module()
class BNLinearHead(BaseHead):
    """Average pool -> ``BatchNorm1d(affine=False)`` -> dropout -> linear.

    Args:
        num_classes, in_channels, loss_cls: as in mmaction2's heads.
        dropout_ratio: dropout before the linear layer (0 for the linear probe).
        init_std: std of the linear layer's initial weights.
        average_clips: multi-clip test aggregation (``'prob'`` for the protocol).
        spatial_type: ``'avg'`` only (accepted so I3DHead configs can be retyped).
    """

    def __init__(self, num_classes: int, in_channels: int,
                 loss_cls: Dict = dict(type='CrossEntropyLoss'),
                 dropout_ratio: float = 0.0, init_std: float = 0.01,
                 average_clips: str = 'prob', spatial_type: str = 'avg',
                 **kwargs) -> None:
        if spatial_type != 'avg':
            raise ValueError(f"BNLinearHead pools by average only, got {spatial_type!r}")
        super().__init__(num_classes, in_channels, loss_cls,
                         average_clips=average_clips, **kwargs)
        self.init_std = init_std
        self.avg_pool = nn.AdaptiveAvgPool3d(1)
        self.bn = nn.BatchNorm1d(in_channels, affine=False)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else None
        self.fc_cls = nn.Linear(in_channels, num_classes)

    def init_weights(self) -> None:
        nn.init.normal_(self.fc_cls.weight, 0, self.init_std)
        nn.init.zeros_(self.fc_cls.bias)

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """``(B, C, T, H, W)`` or ``(B, C)`` -> ``(B, num_classes)``."""
        if x.dim() == 5:
            x = self.avg_pool(x)
        x = self.bn(x.flatten(1))
        if self.dropout is not None:
            x = self.dropout(x)
        return self.fc_cls(x)


@MODELS.register_module()
class VideoFeatureExtractor(BaseVideoSSL):
    """A backbone alone: ``predict`` (inherited from :class:`BaseVideoSSL`) attaches the
    pooled clip features ``(V, D)`` as metainfo ``clip_features`` (retrieval, t-SNE)."""

    def loss(self, inputs, data_samples=None):
        raise RuntimeError('VideoFeatureExtractor has no training objective; use it with '
                           'tools/test.py (retrieval) or feature extraction only.')

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs) -> None:
        if prefix == '':
            own = set(self.backbone.state_dict().keys())
            if not any(k.startswith('backbone.') for k in state_dict):
                bare = [k for k in list(state_dict) if k in own]
                if not bare:
                    raise RuntimeError(
                        'VideoFeatureExtractor: the checkpoint holds no backbone tensor '
                        '(no "backbone.*" key and no key of the backbone itself), so the '
                        'features would come from random weights. Pass a vssl_mm '
                        'pretraining checkpoint or a file written by '
                        'tools/model_converters/extract_backbone.py.')
                for k in bare:  # exported backbone-only file: route it to the backbone
                    state_dict['backbone.' + k] = state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)
