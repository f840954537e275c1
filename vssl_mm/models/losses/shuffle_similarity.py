"""Shuffle similarity (seg_order_rate Algorithm 1, Eq. 9-12), vectorised over pairs."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from .info_nce import dot_similarity


def _split_parts(query: torch.Tensor, keys: torch.Tensor, num_parts: int,
                 what: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(B, D), (M, D) -> (B, k, D / k), (M, k, D / k)``; ``what`` names the caller in
    the error."""
    if query.dim() != 2 or keys.dim() != 2:
        raise ValueError(f'{what} takes (B, D) and (M, D), got '
                         f'{tuple(query.shape)} and {tuple(keys.shape)}')
    d = query.shape[1]
    if d % num_parts != 0:
        raise ValueError(f'feature dim {d} is not divisible by num_parts={num_parts}')
    return (query.view(query.shape[0], num_parts,
                       d // num_parts), keys.view(keys.shape[0], num_parts, d // num_parts))


def _greedy_match(dist: torch.Tensor) -> torch.Tensor:
    """Eq. 10-12 on ``(B, M, k, k)`` part distances: ``k`` times take the smallest
    remaining entry (first in row-major order on ties), remove its row and column.

    Returns ``(B, M, k)`` flat indices ``i * k + j`` of the selected entries.
    """
    b, m, k, _ = dist.shape
    masked = dist.detach().reshape(b, m, k * k).clone()
    rows = torch.arange(k * k, device=dist.device) // k
    cols = torch.arange(k * k, device=dist.device) % k
    picked = []
    for _ in range(k):
        idx = masked.argmin(dim=2, keepdim=True)  # (B, M, 1)
        picked.append(idx)
        r, c = rows[idx], cols[idx]  # (B, M, 1)
        hit = (rows.view(1, 1, -1) == r) | (cols.view(1, 1, -1) == c)
        masked = masked.masked_fill(hit, float('inf'))
    return torch.cat(picked, dim=2)


def _part_dots(qp: torch.Tensor, kp: torch.Tensor) -> torch.Tensor:
    """``(B, k, d) x (M, k, d) -> (B, M, k, k)`` dot products of every part pair."""
    return torch.einsum('bid,mjd->bmij', qp, kp)


def _part_distances(qp: torch.Tensor,
                    kp: torch.Tensor,
                    cross: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``(B, k, d) x (M, k, d) -> (B, M, k, k)`` Euclidean distances (Eq. 9); ``cross``:
    :func:`_part_dots` of the same parts when the caller has it already."""
    q2 = (qp * qp).sum(-1)  # (B, k)
    k2 = (kp * kp).sum(-1)  # (M, k)
    if cross is None:
        cross = _part_dots(qp, kp)
    sq = q2[:, None, :, None] + k2[None, :, None, :] - 2 * cross
    return sq.clamp_min(1e-12).sqrt()  # clamped for sqrt


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
    qp, kp = _split_parts(query, keys, num_parts, 'shuffle distance')
    if normalize_parts:
        qp = F.normalize(qp, dim=2)
        kp = F.normalize(kp, dim=2)
    dist = _part_distances(qp, kp)
    b, m = dist.shape[:2]
    flat = dist.reshape(b, m, -1)
    return flat.gather(2, _greedy_match(dist)).sum(2)


def aligned_dot(query: torch.Tensor,
                keys: torch.Tensor,
                num_parts: int,
                normalize_parts: bool = False) -> torch.Tensor:
    """Dot product after aligning the parts: ``sum_(i,j) matched q^(i) . k^(j)``.

    The matching is Algorithm 1's (greedy minimum of the part distances, parts
    L2-normalised for the matching only if ``normalize_parts``); the score is the dot
    product of the matched raw parts. For L2-normalised ``query`` and ``keys`` it is the
    cosine between the query and the key with its parts permuted into alignment, in
    ``[-1, 1]``, and equals the plain dot product when the identity matching is chosen.

    Returns ``(B, M)`` scores (differentiable through the matched parts).
    """
    qp, kp = _split_parts(query, keys, num_parts, 'aligned dot')
    cross = _part_dots(qp, kp)
    with torch.no_grad():  # the matching only selects; raw parts reuse their dot products
        if normalize_parts:
            dist = _part_distances(F.normalize(qp, dim=2), F.normalize(kp, dim=2))
        else:
            dist = _part_distances(qp, kp, cross)
        idx = _greedy_match(dist)
    b, m = cross.shape[:2]
    return cross.reshape(b, m, -1).gather(2, idx).sum(2)


def shuffle_similarity(query: torch.Tensor,
                       keys: torch.Tensor,
                       num_parts: int,
                       normalize_parts: bool = True,
                       score: str = 'neg_distance') -> torch.Tensor:
    """``(B, D) x (M, D) -> (B, M)`` similarity of Algorithm 1's aligned parts:
    ``-dis`` (``score='neg_distance'``) or :func:`aligned_dot` (``'aligned_dot'``)."""
    if score == 'neg_distance':
        return -shuffle_distance(query, keys, num_parts, normalize_parts)
    if score == 'aligned_dot':
        return aligned_dot(query, keys, num_parts, normalize_parts)
    raise ValueError(f"score must be 'neg_distance' or 'aligned_dot', got {score!r}")


@MODELS.register_module()
class ShuffleSimilarity(nn.Module):
    """Callable similarity for :class:`InfoNCELoss` (``similarity=``).

    The paper defines the matching distance ``dis`` (Algorithm 1) but not how it enters
    InfoNCE in place of the dot product. ``score='neg_distance'``: ``s(q, k) = -dis``;
    with L2-normalised parts each distance is in ``[0, 2]``, so ``s`` is in ``[-2k, 0]``.
    ``score='aligned_dot'``: the dot product of the parts matched by Algorithm 1 (the
    cosine of the aligned embeddings, in ``[-1, 1]``: the scale of the dot product it
    replaces, so the temperature keeps its MoCo meaning).

    Args:
        num_parts: k, the number of segments n of the clip.
        normalize_parts: L2-normalise each part before the distances (our choice).
        score: ``'neg_distance'`` or ``'aligned_dot'``.
    """

    def __init__(self,
                 num_parts: int = 3,
                 normalize_parts: bool = True,
                 score: str = 'neg_distance') -> None:
        super().__init__()
        if num_parts < 1:
            raise ValueError(f'num_parts must be >= 1, got {num_parts}')
        if score not in ('neg_distance', 'aligned_dot'):
            raise ValueError(f"score must be 'neg_distance' or 'aligned_dot', got {score!r}")
        self.num_parts = num_parts
        self.normalize_parts = normalize_parts
        self.score = score

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return shuffle_similarity(query, keys, self.num_parts, self.normalize_parts, self.score)


@MODELS.register_module()
class DotSimilarity(nn.Module):
    """Plain dot product (cosine on L2-normalised inputs): the Table VI 'no shuffle' row."""

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return dot_similarity(query, keys)
