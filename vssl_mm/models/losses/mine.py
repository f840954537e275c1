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
from ..utils.distributed import all_reduce, all_reduce_with_grad, world_info


def masked_log_mean_exp(scores: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
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


def _global_mine_bound(joint: torch.Tensor, marginal: torch.Tensor,
                       joint_mask: Optional[torch.Tensor],
                       marginal_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """:func:`mine_lower_bound` over the entries of all ranks (sums and counts
    all-reduced, the sums with gradient)."""
    jm = (torch.ones_like(joint, dtype=torch.bool) if joint_mask is None else joint_mask.bool())
    mm = (
        torch.ones_like(marginal, dtype=torch.bool)
        if marginal_mask is None else marginal_mask.bool())
    counts = all_reduce(torch.stack([jm.sum(), mm.sum()]).to(joint.dtype))
    if bool((counts == 0).any()):
        return (joint.sum() + marginal.sum()) * 0.
    neg_inf = marginal.new_tensor(float('-inf'))
    top = torch.where(mm, marginal.detach(), neg_inf).max()
    top = all_reduce(top, op='max')  # a constant shift keeps exp() finite
    sums = all_reduce_with_grad(
        torch.stack([
            torch.where(jm, joint, torch.zeros_like(joint)).sum(),
            torch.where(mm, marginal - top, neg_inf).exp().sum()
        ]))
    return sums[0] / counts[0] - (top + torch.log(sums[1]) - torch.log(counts[1]))


def mine_lower_bound(joint: torch.Tensor,
                     marginal: torch.Tensor,
                     joint_mask: Optional[torch.Tensor] = None,
                     marginal_mask: Optional[torch.Tensor] = None,
                     global_batch: bool = True) -> torch.Tensor:
    """Eq. 5: ``mean(G[joint]) - log mean(exp G[marginal])`` (scalar).

    ``joint`` and ``marginal`` are critic scores of any shape; with masks, only the
    entries where the mask is True count (the same matrix may be passed twice). An empty
    joint or marginal set gives 0 (kept in the graph, so every parameter still gets a
    gradient, of zero).

    Distributed (``global_batch=True``, more than one rank): each rank passes the scores
    of its own rows and every rank gets the bound of the global batch; the means run over
    the entries of all ranks (sums and counts all-reduced, with gradient), which is the
    one-process bound on all ranks' rows (a mean of per-rank bounds is not: the log of a
    mean is not the mean of the logs). Collective: every rank calls it alike.
    """
    if global_batch and world_info()[1] > 1:
        return _global_mine_bound(joint, marginal, joint_mask, marginal_mask)
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

    def forward(self,
                joint: torch.Tensor,
                marginal: torch.Tensor,
                joint_mask: Optional[torch.Tensor] = None,
                marginal_mask: Optional[torch.Tensor] = None) -> tuple:
        """Return ``(loss, I)``; ``I`` detached for logging."""
        mi = mine_lower_bound(joint, marginal, joint_mask, marginal_mask)
        sign = -1. if self.maximize else 1.
        return sign * self.loss_weight * mi, mi.detach()
