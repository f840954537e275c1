"""Linear-probe head: global average pool -> BatchNorm1d (no affine) -> linear, the head
of the common linear-probe evaluation protocol."""
from typing import Dict

import torch
import torch.nn as nn
from mmaction.models.heads.base import BaseHead

from vssl_mm.registry import MODELS


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

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss_cls: Dict = dict(type='CrossEntropyLoss'),
                 dropout_ratio: float = 0.0,
                 init_std: float = 0.01,
                 average_clips: str = 'prob',
                 spatial_type: str = 'avg',
                 **kwargs) -> None:
        if spatial_type != 'avg':
            raise ValueError(f"BNLinearHead pools by average only, got {spatial_type!r}")
        super().__init__(num_classes, in_channels, loss_cls, average_clips=average_clips, **kwargs)
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
