"""Swapped prediction against Sinkhorn targets (SwAV; mlrep Eq. 4, the L_proto / L_sem term).

Prototype scores are ``(B, 2, K)``: both views of every sample against ``K`` prototypes.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn

from vssl_mm.registry import MODELS
from ..utils.sinkhorn import distributed_sinkhorn
from .info_nce import info_nce_logits_loss


@torch.no_grad()
def sinkhorn_targets(scores: torch.Tensor,
                     eps: float = 0.05,
                     num_iters: int = 3,
                     queued: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``(B, V, K)`` scores -> ``(B, V, K)`` equal-partition soft assignments ``s`` of each
    view over the global batch (:func:`distributed_sinkhorn`); ``queued`` ``(S, V, K)``
    past scores (identical on every rank) join the marginals."""
    return torch.stack([
        distributed_sinkhorn(
            scores[:, v], eps, num_iters, shared=None if queued is None else queued[:, v])
        for v in range(scores.shape[1])
    ],
                       dim=1)


def swapped_prediction_loss(scores: torch.Tensor,
                            targets: torch.Tensor,
                            temperature: float = 0.1) -> torch.Tensor:
    """Eq. 4: ``-1/2 mean_i sum_k (s^1_ik log p^2_ik + s^2_ik log p^1_ik)`` with
    ``p^a = softmax(scores^a / temperature)``; ``scores``, ``targets`` ``(B, 2, K)``."""
    logits = scores / temperature
    return (info_nce_logits_loss(logits[:, 1], targets[:, 0]) +
            info_nce_logits_loss(logits[:, 0], targets[:, 1])) / 2


@MODELS.register_module()
class SwappedPredictionLoss(nn.Module):
    """Sinkhorn targets of each view (detached) predicted from the other view's scores.

    Args:
        temperature: softmax temperature of the predictions (0.1).
        sinkhorn_eps: entropic regularisation of Sinkhorn (0.05).
        sinkhorn_iters: Sinkhorn alternations (3).
    """

    def __init__(self,
                 temperature: float = 0.1,
                 sinkhorn_eps: float = 0.05,
                 sinkhorn_iters: int = 3) -> None:
        super().__init__()
        if temperature <= 0 or sinkhorn_eps <= 0:
            raise ValueError(f'temperature and sinkhorn_eps must be > 0, got {temperature}, '
                             f'{sinkhorn_eps}')
        self.temperature = temperature
        self.sinkhorn_eps = sinkhorn_eps
        self.sinkhorn_iters = sinkhorn_iters

    def forward(self,
                scores: torch.Tensor,
                queued: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(B, 2, K)`` scores (and ``(S, 2, K)`` queued past scores) -> ``(loss,
        targets (B, 2, K))``."""
        targets = sinkhorn_targets(scores.detach(), self.sinkhorn_eps, self.sinkhorn_iters, queued)
        return swapped_prediction_loss(scores, targets, self.temperature), targets

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, sinkhorn_eps={self.sinkhorn_eps}, '
                f'sinkhorn_iters={self.sinkhorn_iters}')
