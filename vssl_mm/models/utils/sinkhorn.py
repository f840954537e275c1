"""Distributed Sinkhorn-Knopp (SwAV's equal-partition soft assignment; mlrep Eq. 4).

Shared by every method that clusters a batch into prototypes with equal partition.
"""
from typing import Optional

import torch

from .distributed import all_reduce


@torch.no_grad()
def distributed_sinkhorn(scores: torch.Tensor,
                         eps: float = 0.05,
                         num_iters: int = 3,
                         shared: Optional[torch.Tensor] = None,
                         return_shared: bool = False):
    """Soft equal-partition assignments of the global batch to ``K`` prototypes.

    ``Q = exp(scores / eps)`` over the whole batch ``M`` (all ranks' rows plus the
    ``shared`` rows), then ``num_iters`` alternations of

    - prototype marginal: every prototype's total mass ``-> 1/K`` (sum over all ranks:
      ``all_reduce``),
    - sample marginal: every sample's mass ``-> 1/M`` (a per-row sum, local),

    and finally ``Q *= M``. Convention (SwAV's, transposed to ``(B, K)``): every returned
    row sums to exactly 1 (a distribution over prototypes, the soft target ``s_i``) and
    every column sums to ``~M/K`` over the global batch (exact in the limit of
    iterations). The result on each rank equals the single-process result on the
    concatenation of all ranks' rows (then the shared rows).

    Args:
        scores: ``(B, K)`` local prototype scores (e.g. ``z @ P``; detached).
        eps: entropic regularisation (0.05).
        num_iters: alternations (3).
        shared: ``(S, K)`` rows identical on every rank and counted once (a queue of
            past scores gathered from all ranks); they shape the marginals only.
        return_shared: also return the shared rows' assignments.

    Returns:
        ``(B, K)`` assignments (dtype of ``scores``), and ``(S, K)`` if
        ``return_shared``.
    """
    if scores.dim() != 2:
        raise ValueError(f'scores must be (B, K), got {tuple(scores.shape)}')
    dtype = scores.dtype
    q = scores.detach().double()
    s = (
        shared.detach().double().to(q.device) if shared is not None else q.new_zeros(0, q.shape[1]))
    if s.shape[1] != q.shape[1]:
        raise ValueError(f'shared rows have {s.shape[1]} prototypes, scores {q.shape[1]}')
    k = q.shape[1]
    # a global constant shift (max over all rows) keeps exp() finite and changes nothing
    top = torch.cat([q.flatten(), s.flatten(), q.new_full((1, ), -float('inf'))]).max()
    top = all_reduce(top, op='max')
    q = torch.exp((q - top) / eps)
    s = torch.exp((s - top) / eps)
    m = all_reduce(q.new_tensor(float(q.shape[0]))) + s.shape[0]

    total = all_reduce(q.sum()) + s.sum()
    q, s = q / total, s / total
    for _ in range(num_iters):
        col = all_reduce(q.sum(dim=0)) + s.sum(dim=0)  # (K,) mass per prototype
        col = col.clamp_min(torch.finfo(col.dtype).tiny)
        q, s = q / col / k, s / col / k
        q = q / q.sum(dim=1, keepdim=True) / m
        if s.shape[0]:
            s = s / s.sum(dim=1, keepdim=True) / m
    q, s = (q * m).to(dtype), (s * m).to(dtype)
    return (q, s) if return_shared else q
