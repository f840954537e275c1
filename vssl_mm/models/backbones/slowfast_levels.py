"""SlowFast with multi-level outputs: mmaction2's ``ResNet3dSlowFast`` returning res2-res5.

Feichtenhofer et al., "SlowFast Networks for Video Recognition" (ICCV 2019). MLRep's
Table 3 (Qian et al., ICCV 2021) ablates temporal modelling on a SlowFast backbone, and
MLRep needs three levels (low, mid, high) from one backbone pass, each one 5D tensor.
mmaction2's ``ResNet3dSlowFast.forward`` returns only the last stage as a pair
``(x_slow, x_fast)`` (docs/design.md, pitfall 8).

:class:`SlowFastLevels` subclasses ``ResNet3dSlowFast`` and adds no module, parameter or
buffer: its state dict has exactly ``ResNet3dSlowFast``'s keys, so an exported backbone
loads with ``strict=True`` into a plain mmaction2 ``ResNet3dSlowFast`` (e.g. a
``Recognizer3D`` with ``SlowFastHead``). :meth:`SlowFastLevels.forward` runs the same
computation as ``ResNet3dSlowFast.forward`` (same input resampling, stems, stage loop and
lateral connections fast -> slow after every stage but the last) and additionally keeps the
slow and fast outputs of the stages in ``out_indices``. The slow output of a stage is the
res layer's output *before* the next lateral concatenation, i.e. the tensor
``ResNet3dSlowFast`` returns for the last stage.

Fusion of the two pathways into one tensor per level (``fusion``):

* ``'fast'`` (default): the slow output is upsampled in time with nearest neighbours
  (each slow step repeated ``alpha = speed_ratio`` times) to the fast pathway's temporal
  length and the channels are concatenated ``[slow, fast]``. Temporal length is the fast
  pathway's (16 for a 16-frame clip), so MLRep's feature-level reverse / shuffle and its
  timestamp tokens (8 / 4 / 2) act at the fast pathway's temporal resolution. When the
  fast length is a multiple of the slow one (always with ``resample_rate`` divisible by
  ``speed_ratio`` and a clip length divisible by ``resample_rate``), average pooling the
  fused tensor over ``(T, H, W)`` gives exactly the per-pathway average pools
  concatenated (what ``SlowFastHead`` feeds its fc, in the order fast, slow).
* ``'slow'``: the fast output is average-pooled in time to the slow pathway's length
  (groups of ``alpha`` frames) and concatenated ``[slow, fast]``. Only 16 / alpha
  temporal steps remain (4 for a 16-frame clip at alpha 4), so MLRep's
  ``num_tokens`` must then be at most that length for the global clip (e.g.
  ``(4, 4, 2)``); with more tokens ``adaptive_avg_pool1d`` repeats steps and timestamp
  retrieval becomes ill-posed.

Channels of a fused level ``i`` (0 = res2 ... 3 = res5): ``slow_i + fast_i``; for
SlowFast-R50 with ``channel_ratio=8``: 256+32, 512+64, 1024+128, 2048+256; for R18 with
slow width 64: 64+8, 128+16, 256+32, 512+64.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.models.backbones.resnet3d_slowfast import ResNet3dSlowFast

from vssl_mm.registry import MODELS
from .temporal_stride import MultiLevelBackboneMixin, route_backbone_prefix

FUSIONS = ('fast', 'slow')


def fuse_pathways(x_slow: torch.Tensor, x_fast: torch.Tensor, fusion: str = 'fast') -> torch.Tensor:
    """One 5D tensor ``(N, C_slow + C_fast, T, H, W)`` from a slow and a fast map.

    ``'fast'``: slow upsampled in time (nearest) to the fast length, ``T = T_fast``;
    ``'slow'``: fast average-pooled in time to the slow length, ``T = T_slow``. Channel
    order ``[slow, fast]``. Spatial sizes must agree (they do in SlowFast: both pathways
    use the same spatial strides).
    """
    if x_slow.dim() != 5 or x_fast.dim() != 5:
        raise ValueError('fuse_pathways expects two 5D maps (N, C, T, H, W), got '
                         f'{tuple(x_slow.shape)} and {tuple(x_fast.shape)}')
    if x_slow.shape[0] != x_fast.shape[0] or x_slow.shape[3:] != x_fast.shape[3:]:
        raise ValueError('slow and fast maps must share batch and spatial size, got '
                         f'{tuple(x_slow.shape)} and {tuple(x_fast.shape)}')
    if fusion == 'fast':
        if x_slow.shape[2] != x_fast.shape[2]:
            x_slow = F.interpolate(x_slow, size=tuple(x_fast.shape[2:]), mode='nearest')
    elif fusion == 'slow':
        if x_fast.shape[2] != x_slow.shape[2]:
            x_fast = F.adaptive_avg_pool3d(x_fast, tuple(x_slow.shape[2:]))
    else:
        raise ValueError(f'fusion must be one of {FUSIONS}, got {fusion!r}')
    return torch.cat((x_slow, x_fast), dim=1)


@MODELS.register_module()
class SlowFastLevels(ResNet3dSlowFast):
    """``ResNet3dSlowFast`` returning fused slow+fast maps of the stages in ``out_indices``.

    All arguments of ``mmaction.models.ResNet3dSlowFast`` (``pretrained``,
    ``resample_rate`` (tau), ``speed_ratio`` (alpha), ``channel_ratio`` (1 / beta),
    ``slow_pathway``, ``fast_pathway``, ``init_cfg``), plus:

    Args:
        out_indices (Sequence[int]): stages to return, 0 = res2 ... 3 = res5. MLRep uses
            ``(1, 2, 3)`` (low = res3, mid = res4, high = res5). Defaults to ``(3, )``.
        fusion (str): ``'fast'`` (slow upsampled to the fast temporal length, default) or
            ``'slow'`` (fast pooled to the slow length); see the module docstring.
        return_tuple (bool): return a tuple even for one stage (default). ``False``
            returns a tensor when one stage is asked for (plain mmaction2 heads such as
            ``I3DHead`` / vssl_mm's ``BNLinearHead``).
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')`` really loads (docs/design.md, pitfall 7; mmaction2's
            ``ResNet3dSlowFast.init_weights`` ignores ``init_cfg``).
    """

    def __init__(self,
                 *args,
                 out_indices: Sequence[int] = (3, ),
                 fusion: str = 'fast',
                 return_tuple: bool = True,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        num_stages = len(self.slow_path.res_layers)
        out_indices = tuple(int(i) for i in out_indices)
        if not out_indices or any(not 0 <= i < num_stages for i in out_indices):
            raise ValueError(f'out_indices must be non-empty and in [0, {num_stages}), '
                             f'got {out_indices}')
        if len(self.fast_path.res_layers) != num_stages:
            raise ValueError('slow and fast pathways must have the same number of stages')
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {FUSIONS}, got {fusion!r}')
        self.out_indices = out_indices
        self.fusion = fusion
        self.return_tuple = return_tuple

    def forward_pathways(self, x: torch.Tensor) -> List[Tuple[torch.Tensor, torch.Tensor]]:
        """``(N, C, T, H, W)`` -> ``[(x_slow_i, x_fast_i) for i in out_indices]``.

        The body is ``ResNet3dSlowFast.forward`` (mmaction2 1.2.0) line by line; the only
        addition is that the stage outputs in ``out_indices`` are kept.
        """
        x_slow = nn.functional.interpolate(
            x, mode='nearest', scale_factor=(1.0 / self.resample_rate, 1.0, 1.0))
        x_slow = self.slow_path.conv1(x_slow)
        x_slow = self.slow_path.maxpool(x_slow)

        x_fast = nn.functional.interpolate(
            x,
            mode='nearest',
            scale_factor=(1.0 / (self.resample_rate // self.speed_ratio), 1.0, 1.0))
        x_fast = self.fast_path.conv1(x_fast)
        x_fast = self.fast_path.maxpool(x_fast)

        if self.slow_path.lateral:
            x_fast_lateral = self.slow_path.conv1_lateral(x_fast)
            x_slow = torch.cat((x_slow, x_fast_lateral), dim=1)

        outs = []
        for i, layer_name in enumerate(self.slow_path.res_layers):
            res_layer = getattr(self.slow_path, layer_name)
            x_slow = res_layer(x_slow)
            res_layer_fast = getattr(self.fast_path, layer_name)
            x_fast = res_layer_fast(x_fast)
            if i in self.out_indices:
                outs.append((x_slow, x_fast))  # before the next lateral concatenation
            if (i != len(self.slow_path.res_layers) - 1 and self.slow_path.lateral):
                # No fusion needed in the final stage
                lateral_name = self.slow_path.lateral_connections[i]
                conv_lateral = getattr(self.slow_path, lateral_name)
                x_fast_lateral = conv_lateral(x_fast)
                x_slow = torch.cat((x_slow, x_fast_lateral), dim=1)
        return outs

    def forward(self, x: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """``(N, C, T, H, W)`` -> fused ``(N, C_slow_i + C_fast_i, T_i, H_i, W_i)`` maps of
        the stages in ``out_indices`` (a tuple, or a tensor for one stage with
        ``return_tuple=False``)."""
        outs = [fuse_pathways(s, f, self.fusion) for s, f in self.forward_pathways(x)]
        if self.return_tuple or len(outs) > 1:
            return tuple(outs)
        return outs[0]

    def init_weights(self, pretrained: Optional[str] = None) -> None:
        """mmaction2's scheme (each pathway's init, or a strict ``pretrained=`` load), then
        ``init_cfg`` (``Pretrained`` last, ``prefix`` supported)."""
        super().init_weights(pretrained)
        MultiLevelBackboneMixin._init_from_init_cfg(self)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        """Also loads ``backbone.``-prefixed files as ``pretrained=...``."""
        route_backbone_prefix(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def level_channels(self) -> Dict[int, int]:
        """``{stage: C_slow + C_fast}`` for every stage (read from the built layers)."""
        out = {}
        for i, name in enumerate(self.slow_path.res_layers):
            widths = []
            for path in (self.slow_path, self.fast_path):
                last = getattr(path, name)[-1]
                conv = last.conv3 if hasattr(last, 'conv3') else last.conv2
                widths.append(conv.conv.out_channels)
            out[i] = sum(widths)
        return out


__all__ = ['SlowFastLevels', 'fuse_pathways']
