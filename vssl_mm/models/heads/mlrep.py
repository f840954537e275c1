"""mlrep heads: per-level projections, the prototype head (Eq. 4) and temporal token heads
(ME + pooling + 2-layer MLP, Eq. 11-13)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..necks.motion_excitation import MotionExcitation
from ..necks.projection import MLPProjection


@MODELS.register_module()
class PrototypeHead(nn.Module):
    """``z = normalize(MLP(x))`` (in-in-BN-ReLU-out) and prototype scores ``z @ P``.

    ``P`` is ``Linear(out_channels, num_prototypes, bias=False)`` whose rows are
    re-normalised to unit length by :meth:`normalize_prototypes` every step, so the
    scores are cosines in ``[-1, 1]``.

    Args:
        in_channels: pooled feature width (512 for R3D-18 res5).
        out_channels: projection width (128).
        num_prototypes: K (1000 on K400, 200 on UCF101).
        hidden_channels: MLP width (defaults to ``in_channels``).
    """

    def __init__(self, in_channels: int = 512, out_channels: int = 128,
                 num_prototypes: int = 1000, hidden_channels: Optional[int] = None) -> None:
        super().__init__()
        if num_prototypes < 1:
            raise ValueError(f'num_prototypes must be >= 1, got {num_prototypes}')
        self.num_prototypes = num_prototypes
        self.projection = MLPProjection(in_channels, out_channels, hidden_channels,
                                        num_layers=2, with_bn=True)
        self.prototypes = nn.Linear(out_channels, num_prototypes, bias=False)

    @torch.no_grad()
    def normalize_prototypes(self) -> None:
        w = self.prototypes.weight
        w.copy_(F.normalize(w, dim=1))

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C) -> (B, D)`` L2-normalised ``z``."""
        return F.normalize(self.projection(x), dim=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, D)`` normalised ``z`` -> ``(B, K)`` prototype scores."""
        return self.prototypes(z)


@MODELS.register_module()
class TemporalTokenHead(nn.Module):
    """Motion-excited, pooled, projected features of one level (Eq. 11-13).

    ``vector(x)``: ``ME(x)`` -> spatiotemporal average -> MLP -> ``(B, D)`` (L_aug, Eq. 11);
    ``tokens(x, n)``: ``ME(x)`` -> spatial average, adaptive temporal average to ``n``
    tokens -> MLP per token -> ``(B, n, D)`` (L_ret, Eq. 13). Outputs are L2-normalised.

    Args:
        in_channels: level width.
        out_channels: D.
        with_me: use the Motion Excitation block (low and mid levels).
        reduction: ME channel reduction.
    """

    def __init__(self, in_channels: int, out_channels: int = 128, with_me: bool = True,
                 reduction: int = 16) -> None:
        super().__init__()
        self.me = MotionExcitation(in_channels, reduction) if with_me else nn.Identity()
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, in_channels), nn.ReLU(inplace=True),
            nn.Linear(in_channels, out_channels))

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, C, T)``: ME, then spatial average."""
        return self.me(x).mean(dim=(3, 4))

    def project_vector(self, pooled: torch.Tensor) -> torch.Tensor:
        """``(B, C, T) -> (B, D)``: temporal average then MLP (Eq. 11)."""
        return F.normalize(self.mlp(pooled.mean(dim=2)), dim=-1)

    def project_tokens(self, pooled: torch.Tensor, num_tokens: int) -> torch.Tensor:
        """``(B, C, T) -> (B, num_tokens, D)``; token ``k`` = ``k``-th time slice (Eq. 13)."""
        y = F.adaptive_avg_pool1d(pooled, num_tokens)
        return F.normalize(self.mlp(y.transpose(1, 2)), dim=-1)

    def vector(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, D)``."""
        return self.project_vector(self.pooled(x))

    def tokens(self, x: torch.Tensor, num_tokens: int) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, num_tokens, D)``."""
        return self.project_tokens(self.pooled(x), num_tokens)
