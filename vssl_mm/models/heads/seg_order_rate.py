"""Heads of seg_order_rate: segment order classification and sampling-rate prediction."""
import math
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS


@MODELS.register_module()
class SegmentOrderHead(nn.Module):
    """Eq. 1-4: ``h = W2 (W1 r + b1) + b2`` over the ``n!`` orders, cross-entropy.

    Two linear layers (a ReLU and dropout between them, our choice: two stacked linear
    maps without a non-linearity would be one linear map) on the pooled feature ``r``.

    Args:
        in_channels: pooled feature size (512 for C3D/R3D/R(2+1)D, 1024 for S3D-G).
        num_segments: n; the head predicts ``n!`` classes.
        hidden_channels: width of the first layer.
        dropout: dropout before the second layer.
        loss_weight: lambda_1 of Eq. 17.
    """

    def __init__(self,
                 in_channels: int = 512,
                 num_segments: int = 3,
                 hidden_channels: int = 512,
                 dropout: float = 0.5,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.num_classes = math.factorial(num_segments)
        self.fc1 = nn.Linear(in_channels, hidden_channels)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_channels, self.num_classes)
        self.loss_weight = loss_weight

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """``(N, C)`` -> ``(N, n!)`` logits."""
        return self.fc2(self.drop(F.relu(self.fc1(feat))))

    def loss(self, feat: torch.Tensor, labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        logits = self(feat)
        return dict(
            loss_order=self.loss_weight * F.cross_entropy(logits, labels),
            acc_order=(logits.argmax(1) == labels).float().mean().detach())


@MODELS.register_module()
class SamplingRateHead(nn.Module):
    """Eq. 5-7: per-segment sampling rates from the pooled feature.

    ``mode='regression'`` (paper default): ``alpha = W r + b`` ``(N, n)``, MSE against
    the rates. ``mode='classification'`` (Table V): ``n`` softmaxes over ``{1..p}``,
    cross-entropy; the predicted rate is the argmax. Both log ``rate_error`` (mean
    absolute error in frames, the paper's "Samp. error").

    Args:
        in_channels: pooled feature size.
        num_segments: n.
        max_rate: p (classification classes).
        mode: ``'regression'`` or ``'classification'``.
        hidden_channels: optional hidden layer (None: one linear layer as in Eq. 6).
        loss_weight: lambda_2 of Eq. 17 (0.3).
    """

    def __init__(self,
                 in_channels: int = 512,
                 num_segments: int = 3,
                 max_rate: int = 8,
                 mode: str = 'regression',
                 hidden_channels: Optional[int] = None,
                 loss_weight: float = 0.3) -> None:
        super().__init__()
        if mode not in ('regression', 'classification'):
            raise ValueError(f"mode must be 'regression' or 'classification', got {mode!r}")
        self.mode = mode
        self.num_segments = num_segments
        self.max_rate = max_rate
        out = num_segments if mode == 'regression' else num_segments * max_rate
        layers = []
        if hidden_channels:
            layers += [nn.Linear(in_channels, hidden_channels), nn.ReLU(inplace=True)]
            in_channels = hidden_channels
        layers.append(nn.Linear(in_channels, out))
        self.fc = nn.Sequential(*layers)
        self.loss_weight = loss_weight

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """``(N, C)`` -> ``(N, n)`` rates or ``(N, n, p)`` logits."""
        out = self.fc(feat)
        if self.mode == 'classification':
            out = out.view(-1, self.num_segments, self.max_rate)
        return out

    def predict_rates(self, out: torch.Tensor) -> torch.Tensor:
        if self.mode == 'classification':
            return out.argmax(-1).float() + 1
        return out

    def loss(self, feat: torch.Tensor, rates: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``rates`` ``(N, n)`` float, in the order the segments are shown."""
        out = self(feat)
        if self.mode == 'regression':
            loss = F.mse_loss(out, rates)
        else:
            target = (rates.round().long() - 1).clamp(0, self.max_rate - 1)
            loss = F.cross_entropy(out.flatten(0, 1), target.flatten())
        err = (self.predict_rates(out.detach()) - rates).abs().mean()
        return dict(loss_rate=self.loss_weight * loss, rate_error=err)
