"""Shared machinery of the vssl_mm backbones.

* :class:`MultiLevelBackboneMixin` gives every backbone

  - a **temporal-stride override** that reuses the same weights: the strides of chosen
    stages are changed on the existing conv / pooling modules for the duration of one
    forward pass and restored afterwards (Ctrl-Aug's global encoder f' is the local encoder
    f with some temporal strides set to 1). Use it either as a forward argument
    ``backbone(x, temporal_strides={2: 1, 3: 1})`` or as a context manager
    ``with temporal_stride_override(backbone, {2: 1, 3: 1}): backbone(x)``.
    No second copy of the weights is ever made, and activation checkpointing re-applies
    the override when it recomputes a block during backward;
  - ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')`` that really
    loads (docs/design.md, pitfall 7: mmaction2's ResNet3d family overrides ``init_weights``
    without calling ``BaseModule.init_weights``);
  - tuple outputs for the stages in ``out_indices`` (docs/design.md, pitfall 8);
  - loading of ``backbone.``-prefixed files (a recognizer or pretraining checkpoint, the
    default output of ``extract_backbone.py``) when the backbone itself is loaded, e.g.
    as ``pretrained=...`` (:func:`route_backbone_prefix`).
"""
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmengine.model.weight_init import initialize
from torch.nn.modules.utils import _triple

StrideSpec = Optional[Union[Dict[int, int], Sequence[int]]]

__all__ = ['MultiLevelBackboneMixin', 'route_backbone_prefix', 'temporal_stride_override']


def _set_temporal_stride(module: nn.Module, stride: int) -> None:
    """Set the temporal (first) stride of a Conv3d / MaxPool3d / AvgPool3d in place.

    A non-overlapping pool (temporal kernel == temporal stride, e.g. C3D's 2x2x2 pools)
    gets its temporal kernel changed with the stride, so that stride 1 keeps every frame.
    """
    if isinstance(module, nn.Conv3d):
        module.stride = (stride, ) + tuple(module.stride[1:])
    elif isinstance(module, (nn.MaxPool3d, nn.AvgPool3d)):
        kernel, old = _triple(module.kernel_size), _triple(module.stride)
        if kernel[0] == old[0]:
            kernel = (stride, ) + tuple(kernel[1:])
        module.kernel_size = kernel
        module.stride = (stride, ) + tuple(old[1:])
    else:
        raise TypeError(f'cannot change the temporal stride of {type(module)}')


def _get_state(module: nn.Module) -> Tuple:
    return (module.stride, getattr(module, 'kernel_size', None))


def _set_state(module: nn.Module, state: Tuple) -> None:
    module.stride = state[0]
    if isinstance(module, (nn.MaxPool3d, nn.AvgPool3d)):
        module.kernel_size = state[1]


def route_backbone_prefix(module: nn.Module, state_dict: Dict, prefix: str) -> None:
    """Rename ``backbone.<name>`` to ``<name>`` in ``state_dict`` when ``module`` is the
    root of the load (``prefix == ''``) and the state dict holds none of ``module``'s own
    names but some under ``backbone.``: a recognizer-layout export or a full pretraining
    checkpoint given to the backbone alone (``pretrained=...``). Other keys stay as they
    are (reported as unexpected by the loader). Loads into a recognizer are untouched."""
    if prefix != '' or not state_dict:
        return
    own = set(module.state_dict().keys())
    if any(k in own for k in state_dict):
        return
    routed = [k for k in state_dict if k.startswith('backbone.') and k[9:] in own]
    for k in routed:
        state_dict[k[9:]] = state_dict.pop(k)


class MultiLevelBackboneMixin:
    """Mixin for backbones with stages, ``out_indices`` and a temporal-stride override.

    Subclasses implement :meth:`temporal_stride_modules` (the modules that carry the
    temporal stride of a stage).
    """

    #: set by :func:`temporal_stride_override`; a forward argument takes precedence.
    _temporal_stride_override: Optional[Dict[int, int]] = None

    # -- temporal strides ------------------------------------------------------------
    def temporal_stride_modules(self, stage: int) -> List[nn.Module]:
        """Modules (Conv3d / pools) whose temporal stride is the stride of ``stage``."""
        raise NotImplementedError

    @property
    def num_stride_stages(self) -> int:
        """Number of stages a temporal stride can be set for."""
        raise NotImplementedError

    def _resolve_strides(self, temporal_strides: StrideSpec) -> Dict[int, int]:
        """Normalise a forward argument / the context-manager value to ``{stage: s}``."""
        spec = temporal_strides
        if spec is None:
            spec = self._temporal_stride_override
        if spec is None:
            return {}
        if not isinstance(spec, dict):
            spec = dict(enumerate(spec))
        for stage, s in spec.items():
            if not 0 <= int(stage) < self.num_stride_stages:
                raise ValueError(f'stage {stage} out of range for '
                                 f'{self.__class__.__name__} '
                                 f'({self.num_stride_stages} stages)')
            if int(s) < 1:
                raise ValueError(f'temporal stride must be >= 1, got {s}')
        return {int(k): int(v) for k, v in spec.items()}

    @contextmanager
    def _applied_temporal_strides(self, strides: Dict[int, int]) -> Iterator[None]:
        """Set the strides in place for the duration of the block; always restore."""
        saved = []
        try:
            for stage, s in strides.items():
                for m in self.temporal_stride_modules(stage):
                    saved.append((m, _get_state(m)))
                    _set_temporal_stride(m, s)
            yield
        finally:
            for m, state in reversed(saved):
                _set_state(m, state)

    def _run(self, fn: Callable, x: torch.Tensor, strides: Dict[int, int],
             with_cp: bool) -> torch.Tensor:
        """Run ``fn(x)``; with ``with_cp`` as a checkpointed segment.

        The recomputation in backward happens outside the forward's ``with`` block, so
        the stride override is re-applied inside the checkpointed function.
        """
        if with_cp and x.requires_grad:

            def _fn(inp: torch.Tensor) -> torch.Tensor:
                with self._applied_temporal_strides(strides):
                    return fn(inp)

            return cp.checkpoint(_fn, x, use_reentrant=False)
        return fn(x)

    # -- outputs -----------------------------------------------------------------------
    def _format_outputs(self,
                        outs: List[torch.Tensor]) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        if getattr(self, 'return_tuple', True) or len(outs) > 1:
            return tuple(outs)
        return outs[0]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        route_backbone_prefix(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # -- init_cfg Pretrained -----------------------------------------------------------
    def _init_from_init_cfg(self) -> None:
        """Apply ``init_cfg`` (Pretrained last, with ``prefix`` support)."""
        init_cfg = getattr(self, 'init_cfg', None)
        if not init_cfg:
            return
        cfgs = [init_cfg] if isinstance(init_cfg, dict) else list(init_cfg)
        others = [c for c in cfgs if c['type'] != 'Pretrained']
        pretrained = [c for c in cfgs if c['type'] == 'Pretrained']
        if others:
            initialize(self, others)
        if pretrained:
            initialize(self, pretrained)


@contextmanager
def temporal_stride_override(backbone: nn.Module, strides: StrideSpec) -> Iterator[nn.Module]:
    """Run ``backbone`` with the temporal strides of some stages replaced.

    Example (Ctrl-Aug, R3D-18, 16x112x112 input)::

        local = backbone(x)[-1]                     # (N, 512, 2, 4, 4)
        with temporal_stride_override(backbone, {2: 1, 3: 1}):
            glob = backbone(x)[-1]                  # (N, 512, 8, 4, 4), same weights

    Args:
        backbone (nn.Module): a vssl_mm backbone, a model whose ``backbone``
            attribute is one, or a DDP wrapper of either.
        strides (dict | Sequence[int]): ``{stage_index: temporal_stride}`` or one
            stride per stage.
    """
    target = backbone
    if not isinstance(target, MultiLevelBackboneMixin):
        target = getattr(target, 'module', target)  # (MM)DistributedDataParallel
    if not isinstance(target, MultiLevelBackboneMixin):
        target = getattr(target, 'backbone', None)
    if not isinstance(target, MultiLevelBackboneMixin):
        raise TypeError(f'{type(backbone).__name__} has no temporal-stride override')
    target._resolve_strides(strides)  # validate early
    previous = target._temporal_stride_override
    target._temporal_stride_override = strides
    try:
        yield backbone
    finally:
        target._temporal_stride_override = previous
