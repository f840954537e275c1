"""HDC projections g_o^k, g_s^k, g_t^k (Zhang & Crandall, WACV 2022, Sec. 3.3)."""
from typing import Sequence

import torch
import torch.nn as nn

from vssl_mm.registry import MODELS
from ..necks.projection import MLPProjection


@MODELS.register_module()
class HDCProjections(nn.Module):
    """One linear layer per (branch, scale) projecting pooled features to ``out_channels``.

    "There are projections g_o^k, g_s^k and g_t^k for projecting v_o^k, v_s^k and v_t^k
    ... each a single fully-connected layer with linear activation projecting a vector
    into 128-d." Only the projections a config uses are built (e.g. Table 1 row "SC at
    block 5 only" has no g_t and no g^3, g^4), so DDP sees no unused parameters.

    Args:
        in_channels: channels of the backbone stage of each scale, e.g. ``(128, 256, 512)``
            for R3D-18 blocks 3, 4, 5.
        scales: names of the scales (block numbers, used in module and log names).
        branches: per scale, which of ``'o'``, ``'s'``, ``'t'`` get a projection.
        out_channels: embedding size (128).
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 scales: Sequence[int],
                 branches: Sequence[Sequence[str]],
                 out_channels: int = 128) -> None:
        super().__init__()
        if not len(in_channels) == len(scales) == len(branches):
            raise ValueError(f'in_channels {in_channels}, scales {scales} and branches '
                             f'{branches} must have one entry per scale')
        self.scales = tuple(int(k) for k in scales)
        self.out_channels = out_channels
        self.proj = nn.ModuleDict()
        for c, k, bs in zip(in_channels, self.scales, branches):
            for b in bs:
                if b not in ('o', 's', 't'):
                    raise ValueError(f"branch must be 'o', 's' or 't', got {b!r}")
                self.proj[f'{b}{k}'] = MLPProjection(c, out_channels, num_layers=1)

    def has(self, branch: str, scale: int) -> bool:
        return f'{branch}{scale}' in self.proj

    def forward(self, x: torch.Tensor, branch: str, scale: int) -> torch.Tensor:
        """``(..., C_k)`` -> ``(..., out_channels)`` with ``g_branch^scale``."""
        return self.proj[f'{branch}{scale}'](x)

    def extra_repr(self) -> str:
        return f'scales={self.scales}, out_channels={self.out_channels}'
