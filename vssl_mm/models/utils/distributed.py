"""Cross-rank gathers used by contrastive losses and queues, and per-sample random draws
that match one process on the global batch."""
from typing import Callable, List

import torch
import torch.distributed as dist


def world_info() -> tuple:
    """``(rank, world_size)``; ``(0, 1)`` when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def global_offset(n: int) -> int:
    """Index of this rank's first sample in the gathered ``(W*n, ...)`` batch: ``rank * n``
    (0 when not distributed)."""
    rank, _ = world_info()
    return rank * n


def global_indices(n: int, device=None) -> torch.Tensor:
    """``(n,)`` indices of this rank's samples in the gathered ``(W*n, ...)`` batch (the
    positive column of each local row in a contrastive loss over gathered keys)."""
    return torch.arange(n, device=device) + global_offset(n)


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


class _GatherWithGrad(torch.autograd.Function):
    """``all_gather`` whose backward sums the gradient over ranks (all-reduce) and
    returns this rank's slice."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        rank, world = world_info()
        ctx.rank, ctx.batch = rank, x.shape[0]
        out: List[torch.Tensor] = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(out, x.contiguous())
        return torch.cat(out, dim=0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.clone(memory_format=torch.contiguous_format)  # all_reduce is in place
        dist.all_reduce(grad)
        return grad[ctx.rank * ctx.batch:(ctx.rank + 1) * ctx.batch]


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Gather ``(B, ...)`` from every rank into ``(W*B, ...)`` (rank-major), with the exact
    gradient.

    Rank ``s``'s features appear in the losses of every rank ``r`` (as negatives / keys).
    The backward all-reduces (sums) the incoming ``(W*B, ...)`` gradient and returns rows
    ``s*B:(s+1)*B``, i.e. ``sum_r dL_r/dz_s``; after DDP's average over ranks the
    parameter gradient equals the one-process gradient of the mean loss on all ``W*B``
    samples (each rank's loss is the mean over its own rows). Identity when not
    distributed. Queues and momentum keys use :func:`concat_all_gather` (no gradient).

    Collective in forward *and* backward: every rank must call it the same number of
    times, with the same ``B``, and back-propagate through it (or not) alike.
    """
    _, world = world_info()
    if world == 1:
        return x
    return _GatherWithGrad.apply(x)


#: former name (it used to drop the other ranks' gradients); same function as
#: :func:`gather_with_grad`.
gather_with_local_grad = gather_with_grad


class _AllReduceWithGrad(torch.autograd.Function):
    """``all_reduce`` (sum) whose backward sums the gradient over ranks."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


def all_reduce_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Sum a tensor over ranks, differentiably (global-batch statistics such as the sums
    inside a MINE bound).

    Each rank passes the sum over its own rows and computes the same function of the
    result; the backward sums the gradient over ranks, so after DDP's average the
    parameter gradient is the one-process gradient on the global batch. Collective in
    forward and backward (see :func:`gather_with_grad`). Identity when not distributed.
    """
    _, world = world_info()
    if world == 1:
        return x
    return _AllReduceWithGrad.apply(x)


def draw_for_global_batch(draw: Callable[[int], torch.Tensor], n: int) -> torch.Tensor:
    """Per-sample random values for this rank's ``n`` samples, cut from one draw for the
    global batch.

    ``draw(m)`` returns ``m`` rows (dim 0); it is called with ``m = W*n`` and rows
    ``rank*n:(rank+1)*n`` are returned. Ranks whose generators are in the same state
    (mmengine's default ``randomness.diff_rank_seed=False``: one seed on every rank) then
    get exactly the rows one process draws for the ``W*n`` samples, instead of every rank
    repeating the same ``n`` rows. No communication; ``draw(n)`` when not distributed.
    """
    rank, world = world_info()
    if world == 1:
        return draw(n)
    return draw(world * n)[rank * n:(rank + 1) * n]


@torch.no_grad()
def all_reduce(x: torch.Tensor, op: str = 'sum') -> torch.Tensor:
    """Reduce a tensor over ranks without gradient (``op``: ``'sum'`` or ``'max'``), on a
    copy; identity when not distributed. For differentiable sums use
    :func:`all_reduce_with_grad`."""
    if op not in ('sum', 'max'):
        raise ValueError(f"all_reduce op must be 'sum' or 'max', got {op!r}")
    _, world = world_info()
    if world == 1:
        return x
    x = x.clone()
    dist.all_reduce(x, op=dist.ReduceOp.MAX if op == 'max' else dist.ReduceOp.SUM)
    return x
