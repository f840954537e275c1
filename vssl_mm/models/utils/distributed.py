"""Cross-rank gathers used by contrastive losses and queues."""
from typing import List

import torch
import torch.distributed as dist


def world_info() -> tuple:
    """``(rank, world_size)``; ``(0, 1)`` when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


@torch.no_grad()
def concat_all_gather(x: torch.Tensor) -> torch.Tensor:
    """Gather ``(B, ...)`` from every rank into ``(W*B, ...)``, without gradient.

    For queue updates (keys of all ranks are enqueued). Every rank must pass the same B.
    """
    rank, world = world_info()
    if world == 1:
        return x.detach()
    out: List[torch.Tensor] = [torch.empty_like(x) for _ in range(world)]
    dist.all_gather(out, x.detach().contiguous())
    return torch.cat(out, dim=0)


def gather_with_local_grad(x: torch.Tensor) -> torch.Tensor:
    """Gather ``(B, ...)`` into ``(W*B, ...)``; the gradient flows to the local slice.

    Rows ``rank*B:(rank+1)*B`` of the result are ``x`` itself, so the loss on this rank
    back-propagates into this rank's features; DDP then averages the parameter gradients
    over ranks. The other ranks' features are constants (negatives).
    """
    rank, world = world_info()
    if world == 1:
        return x
    gathered = list(concat_all_gather(x).chunk(world, dim=0))
    gathered[rank] = x
    return torch.cat(gathered, dim=0)


@torch.no_grad()
def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    """Sum a tensor over ranks (in place on a copy); identity when not distributed."""
    _, world = world_info()
    if world == 1:
        return x
    x = x.clone()
    dist.all_reduce(x)
    return x
