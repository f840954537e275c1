"""Momentum (EMA) encoders and MoCo's shuffle-BN (seg_order_rate Eq. 18)."""
import copy
from typing import Tuple

import torch
import torch.distributed as dist
import torch.nn as nn

from .distributed import concat_all_gather, world_info


def make_momentum_copy(online: nn.Module) -> nn.Module:
    """A deep copy of ``online`` with ``requires_grad=False`` (the key encoder K)."""
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    return target


@torch.no_grad()
def momentum_update(online: nn.Module, target: nn.Module, momentum: float) -> None:
    """``theta_k = d * theta_k + (1 - d) * theta_q`` for every parameter (Eq. 18).

    Floating buffers (BN running statistics) follow the same rule; integer buffers
    (``num_batches_tracked``) are copied. ``momentum=0`` copies, ``1`` freezes.
    """
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f'momentum must be in [0, 1], got {momentum}')
    p_on, p_tg = list(online.parameters()), list(target.parameters())
    if len(p_on) != len(p_tg):
        raise ValueError('online and target modules differ in parameters')
    for q, k in zip(p_on, p_tg):
        k.mul_(momentum).add_(q.detach(), alpha=1.0 - momentum)
    for q, k in zip(online.buffers(), target.buffers()):
        if k.dtype.is_floating_point:
            k.mul_(momentum).add_(q.detach(), alpha=1.0 - momentum)
        else:
            k.copy_(q)


@torch.no_grad()
def batch_shuffle(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """MoCo's shuffle-BN: give this rank a random slice of the global batch.

    Returns ``(x_shuffled_local, idx_unshuffle)``. The key encoder's BN then sees a batch
    mixed across ranks, so BN statistics cannot leak the positive pair. On one process it
    is a no-op permutation within the batch (harmless; BN statistics are unchanged).
    """
    rank, world = world_info()
    if world == 1:
        idx = torch.randperm(x.shape[0], device=x.device)
        return x[idx], torch.argsort(idx)
    b = x.shape[0]
    x_all = concat_all_gather(x)
    idx_shuffle = torch.randperm(x_all.shape[0], device=x.device)
    dist.broadcast(idx_shuffle, src=0)
    idx_unshuffle = torch.argsort(idx_shuffle)
    local = idx_shuffle.view(world, -1)[rank]
    assert local.numel() == b
    return x_all[local], idx_unshuffle


@torch.no_grad()
def batch_unshuffle(x: torch.Tensor, idx_unshuffle: torch.Tensor) -> torch.Tensor:
    """Undo :func:`batch_shuffle` on the key features ``(B, D)``."""
    rank, world = world_info()
    if world == 1:
        return x[idx_unshuffle]
    x_all = concat_all_gather(x)
    local = idx_unshuffle.view(world, -1)[rank]
    return x_all[local]
