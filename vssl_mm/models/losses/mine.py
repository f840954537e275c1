"""MINE lower bound of mutual information (Belghazi et al., 2018; ctrl_aug Eq. 5-7).

    I(X; Y) >= E_{P_XY}[G] - log E_{P_X x P_Y}[exp G]                          (Eq. 5)

Scores ``G`` come from a critic (``MINECritic`` / a temporal dependency head); this file
only forms the bound, with optional masks selecting which entries of a score matrix are
joint (positive) and marginal samples, so pairwise estimates stay vectorised.
"""
import math
from typing import Optional

import torch
import torch.nn as nn

from vssl_mm.registry import MODELS


def masked_log_mean_exp(scores: torch.Tensor,
                        mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``log mean_{mask} exp(scores)`` computed stably (logsumexp)."""
    if mask is None:
        return torch.logsumexp(scores.flatten(), 0) - math.log(scores.numel())
    mask = mask.bool()
    count = mask.sum()
    if count == 0:
        return scores.sum() * 0.
    masked = scores.masked_fill(~mask, float('-inf'))
    return torch.logsumexp(masked.flatten(), 0) - torch.log(count.float())


def masked_mean(scores: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    if mask is None:
        return scores.mean()
    mask = mask.to(scores.dtype)
    count = mask.sum()
    if count == 0:
        return scores.sum() * 0.
    return (scores * mask).sum() / count


def mine_lower_bound(joint: torch.Tensor, marginal: torch.Tensor,
                     joint_mask: Optional[torch.Tensor] = None,
                     marginal_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Eq. 5: ``mean(G[joint]) - log mean(exp G[marginal])`` (scalar).

    ``joint`` and ``marginal`` are critic scores of any shape; with masks, only the
    entries where the mask is True count (the same matrix may be passed twice). An empty
    joint or marginal set gives 0 (kept in the graph, so every parameter still gets a
    gradient, of zero).
    """
    for scores, mask in ((joint, joint_mask), (marginal, marginal_mask)):
        if mask is not None and not bool(mask.any()):
            return (joint.sum() + marginal.sum()) * 0.
    return masked_mean(joint, joint_mask) - masked_log_mean_exp(marginal, marginal_mask)


@MODELS.register_module()
class MINELoss(nn.Module):
    """``-loss_weight * I`` (maximise the bound) or ``+loss_weight * I`` (minimise it).

    Args:
        maximize: True: the loss is ``-I`` (critic / Eq. 7's ``max``); False: ``+I``.
        loss_weight: weight of the term.
    """

    def __init__(self, maximize: bool = True, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.maximize = maximize
        self.loss_weight = loss_weight

    def forward(self, joint: torch.Tensor, marginal: torch.Tensor,
                joint_mask: Optional[torch.Tensor] = None,
                marginal_mask: Optional[torch.Tensor] = None) -> tuple:
        """Return ``(loss, I)``; ``I`` detached for logging."""
        mi = mine_lower_bound(joint, marginal, joint_mask, marginal_mask)
        sign = -1. if self.maximize else 1.
        return sign * self.loss_weight * mi, mi.detach()
