"""Pooling and projection MLPs shared by every method."""
from typing import Optional

import torch
import torch.nn as nn

from vssl_mm.registry import MODELS


def pool_features(x: torch.Tensor, mode: str = 'avg') -> torch.Tensor:
    """Pool a ``(N, C, T, H, W)`` map.

    ``'avg'``/``'max'`` -> ``(N, C)`` global pooling; ``'spatial'`` -> ``(N, C, T)``
    (space only, HDC's spatial contrast); ``'none'`` returns the map.
    """
    if x.dim() != 5:
        raise ValueError(f'expected (N, C, T, H, W), got shape {tuple(x.shape)}')
    if mode == 'avg':
        return x.mean(dim=(2, 3, 4))
    if mode == 'max':
        return x.amax(dim=(2, 3, 4))
    if mode == 'spatial':
        return x.mean(dim=(3, 4))
    if mode == 'none':
        return x
    raise ValueError(f"pool mode must be 'avg', 'max', 'spatial' or 'none', got {mode!r}")


@MODELS.register_module()
class MLPProjection(nn.Module):
    """``in -> hidden -> ... -> out`` MLP on ``(N, C)`` vectors (optional BN, ReLU between).

    ``num_layers=1`` is a linear projection (HDC's g_k); 2 layers is the SimCLR/MoCo-v2
    head (e.g. seg_order_rate's 512->128).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: Optional[int] = None,
                 num_layers: int = 2,
                 with_bn: bool = False,
                 with_last_bn: bool = False) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        hidden_channels = hidden_channels or in_channels
        layers = []
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        for i in range(num_layers):
            last = i == num_layers - 1
            layers.append(nn.Linear(dims[i], dims[i + 1], bias=not (with_bn and not last)))
            if not last:
                if with_bn:
                    layers.append(nn.BatchNorm1d(dims[i + 1]))
                layers.append(nn.ReLU(inplace=True))
            elif with_last_bn:
                layers.append(nn.BatchNorm1d(dims[i + 1], affine=False))
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)
