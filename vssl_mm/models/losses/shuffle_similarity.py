"""Shuffle similarity (seg_order_rate Algorithm 1, Eq. 9-12), vectorised over pairs."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from .info_nce import dot_similarity


def shuffle_distance(query: torch.Tensor,
                     keys: torch.Tensor,
                     num_parts: int,
                     normalize_parts: bool = True) -> torch.Tensor:
    """Minimum greedy matching distance between the ``k`` parts of each pair.

    ``query`` ``(B, D)`` and ``keys`` ``(M, D)`` are split into ``k = num_parts`` equal
    parts; ``D_ij = ||q^(i) - k^(j)||_2`` (Eq. 9, parts L2-normalised first if
    ``normalize_parts``). Then ``k`` times: take the smallest remaining entry (first in
    row-major order on ties), add it, remove its row and column (Eq. 10-12). All ``B x M``
    pairs are processed together; the only loop is over the ``k`` matching steps.

    Returns ``(B, M)`` distances (differentiable through the selected entries).
    """
    if query.dim() != 2 or keys.dim() != 2:
        raise ValueError(f'shuffle distance takes (B, D) and (M, D), got '
                         f'{tuple(query.shape)} and {tuple(keys.shape)}')
    b, d = query.shape
    m = keys.shape[0]
    k = num_parts
    if d % k != 0:
        raise ValueError(f'feature dim {d} is not divisible by num_parts={k}')
    qp = query.view(b, k, d // k)
    kp = keys.view(m, k, d // k)
    if normalize_parts:
        qp = F.normalize(qp, dim=2)
        kp = F.normalize(kp, dim=2)
    # (B, M, k, k) pairwise part distances via |a|^2 + |b|^2 - 2ab (clamped for sqrt)
    q2 = (qp * qp).sum(-1)  # (B, k)
    k2 = (kp * kp).sum(-1)  # (M, k)
    cross = torch.einsum('bid,mjd->bmij', qp, kp)
    sq = q2[:, None, :, None] + k2[None, :, None, :] - 2 * cross
    dist = sq.clamp_min(1e-12).sqrt()
    flat = dist.reshape(b, m, k * k)
    masked = flat.detach().clone()
    total = dist.new_zeros(b, m)
    rows = torch.arange(k * k, device=dist.device) // k
    cols = torch.arange(k * k, device=dist.device) % k
    for _ in range(k):
        idx = masked.argmin(dim=2, keepdim=True)  # (B, M, 1)
        total = total + flat.gather(2, idx).squeeze(2)
        r, c = rows[idx], cols[idx]  # (B, M, 1)
        hit = (rows.view(1, 1, -1) == r) | (cols.view(1, 1, -1) == c)
        masked = masked.masked_fill(hit, float('inf'))
    return total


def shuffle_similarity(query: torch.Tensor,
                       keys: torch.Tensor,
                       num_parts: int,
                       normalize_parts: bool = True) -> torch.Tensor:
    """``(B, D) x (M, D) -> (B, M)`` similarity ``-dis`` (Algorithm 1, negated)."""
    return -shuffle_distance(query, keys, num_parts, normalize_parts)


@MODELS.register_module()
class ShuffleSimilarity(nn.Module):
    """Callable similarity for :class:`InfoNCELoss` (``similarity=``).

    ``s(q, k) = -sum of the greedy minimum part distances``; with L2-normalised parts
    each distance is in ``[0, 2]``, so ``s`` is in ``[-2k, 0]``.

    Args:
        num_parts: k, the number of segments n of the clip.
        normalize_parts: L2-normalise each part before the distances (our choice).
    """

    def __init__(self, num_parts: int = 3, normalize_parts: bool = True) -> None:
        super().__init__()
        if num_parts < 1:
            raise ValueError(f'num_parts must be >= 1, got {num_parts}')
        self.num_parts = num_parts
        self.normalize_parts = normalize_parts

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return shuffle_similarity(query, keys, self.num_parts, self.normalize_parts)


@MODELS.register_module()
class DotSimilarity(nn.Module):
    """Plain dot product (cosine on L2-normalised inputs): the Table VI 'no shuffle' row."""

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return dot_similarity(query, keys)
