"""InfoNCE with negatives gathered from all ranks (written once, used by every method)."""
from typing import Callable, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..utils.distributed import gather_with_grad, global_offset


def dot_similarity(query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    """``(..., B, D) x (..., M, D) -> (..., B, M)`` dot products (cosine for L2-normalised
    inputs)."""
    return query @ keys.transpose(-2, -1)


def soft_cross_entropy(log_probs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``-mean_i sum_j t_ij log p_ij`` for log-probabilities and targets of one shape."""
    return -(targets * log_probs).sum(dim=-1).mean()


def info_nce_logits_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of ``(B, M)`` logits against hard ``(B,)`` or soft ``(B, M)`` targets.

    Soft targets (rows summing to 1) give the multi-positive / soft InfoNCE used by
    mlrep (Eq. 3, 10): ``-sum_j t_ij log softmax(logits)_ij``.
    """
    if targets.dim() == 1:
        return F.cross_entropy(logits, targets)
    return soft_cross_entropy(F.log_softmax(logits, dim=1), targets)


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """InfoNCE between queries and keys; the keys of every other sample on every rank (and
    an optional queue and per-query extra negatives) are negatives.

    ``L = -1/B sum_i log exp(s(q_i, k_i)/tau) / sum_j exp(s(q_i, k_j)/tau)`` where ``j``
    runs over the ``W*B`` keys gathered from all ranks (with the exact gradient:
    :func:`gather_with_grad`), the ``K`` queue entries (no gradient) and the ``A`` extra
    negatives of query ``i``. With ``symmetric=True`` the loss is averaged with the
    key->query direction. Input forms (``N`` samples on this rank, ``D`` channels):

    - ``query``, ``key`` ``(N, D)``: ``k_i`` is the positive of ``q_i``;
    - ``query``, ``key`` ``(N, P, D)``, no ``targets``: position-wise, InfoNCE at every
      position ``p`` with the keys at the same ``p`` (queue ``(K, P, D)``), averaged over
      ``N*P`` (HDC's spatial contrast);
    - ``query`` ``(N, Q, D)``, ``key`` ``(N, M, D)``, soft ``targets`` ``(N, Q, M)``:
      grouped, each of the ``N*Q`` queries against all ``W*N*M`` keys (queue
      ``(K, M, D)``), with the target distribution on the ``M`` keys of its own sample:
      ``L = -mean_{i,q} sum_m t_iqm log p(k_im | q_iq)`` (ctrl_aug's region contrast).

    Args:
        temperature: tau.
        gather: gather keys from all ranks as negatives.
        symmetric: also compute the loss with queries and keys swapped (hard targets).
        similarity: ``f(q (B, D), k (M, D)) -> (B, M)``; dot product by default.
            Position-wise inputs and extra negatives need an ``f`` that also takes leading
            batch dims, ``(..., B, D) x (..., M, D) -> (..., B, M)``, as the dot product.
        loss_weight: factor on the returned loss.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 gather: bool = True,
                 symmetric: bool = True,
                 similarity: Optional[Callable] = None,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.gather = gather
        self.symmetric = symmetric
        self.similarity = similarity or dot_similarity
        self.loss_weight = loss_weight
        self.last_num_candidates = 0

    def _keys(self, key: torch.Tensor, queue: Optional[torch.Tensor]) -> tuple:
        """Candidate keys ``(W*N [+ K], ...)`` and the global index ``(N,)`` of each local
        sample among them."""
        n = key.shape[0]
        keys = gather_with_grad(key) if self.gather else key
        own = torch.arange(n, device=key.device) + (global_offset(n) if self.gather else 0)
        if queue is not None:
            keys = torch.cat([keys, queue.detach()], dim=0)
        return keys, own

    def _logits(self, query: torch.Tensor, keys: torch.Tensor, negatives: Optional[torch.Tensor],
                positionwise: bool) -> torch.Tensor:
        """Scaled scores: ``(N, C)`` / grouped ``(N, Q, C)`` / position-wise ``(P, N, C)``
        (``C`` candidates: the keys, then the query's extra negatives)."""
        if positionwise:
            sim = self.similarity(query.transpose(0, 1), keys.transpose(0, 1))  # (P, N, M)
        elif query.dim() == 3:  # grouped: every query against every key of every sample
            sim = self.similarity(query.flatten(0, 1), keys.flatten(0, 1))
            sim = sim.view(query.shape[0], query.shape[1], -1)  # (N, Q, W*N*M)
        else:
            sim = self.similarity(query, keys)  # (N, W*N)
        if negatives is not None:
            if negatives.shape[:-2] != query.shape[:-1]:
                raise ValueError(f'negatives {tuple(negatives.shape)} must be '
                                 f'{tuple(query.shape[:-1])} + (A, D) for query '
                                 f'{tuple(query.shape)}')
            extra = self.similarity(query.unsqueeze(-2), negatives).squeeze(-2)  # (.., A)
            sim = torch.cat([sim, extra.transpose(0, 1) if positionwise else extra], -1)
        return sim / self.temperature

    def _one_way(self, query: torch.Tensor, key: torch.Tensor, queue: Optional[torch.Tensor],
                 negatives: Optional[torch.Tensor],
                 targets: Optional[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        keys, own = self._keys(key, queue)
        positionwise = targets is None and query.dim() == 3
        logits = self._logits(query, keys, negatives, positionwise)
        self.last_num_candidates = logits.shape[-1]
        if targets is None:  # hard: the positive of local sample i is key column own[i]
            labels = own.expand(logits.shape[:-1])  # (N, ) or (P, N)
            loss = info_nce_logits_loss(logits.flatten(0, -2), labels.flatten())
            acc = (logits.argmax(dim=-1) == labels).float().mean()
            return loss, acc
        m = key.shape[1]  # grouped soft: columns of sample i's keys are own[i]*M + (0..M-1)
        cols = (own[:, None] * m + torch.arange(m, device=key.device))[:, None]  # (N, 1, M)
        logp = F.log_softmax(logits, dim=-1).gather(-1, cols.expand(-1, query.shape[1], -1))
        loss = soft_cross_entropy(logp, targets)
        best = cols.squeeze(1).gather(1, targets.argmax(-1))  # (N, Q)
        acc = (logits.argmax(dim=-1) == best).float().mean()
        return loss, acc

    def forward(self,
                query: torch.Tensor,
                key: torch.Tensor,
                queue: Optional[torch.Tensor] = None,
                negatives: Optional[torch.Tensor] = None,
                targets: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return ``(loss, top1_accuracy)``.

        Args:
            query: ``(N, D)``, ``(N, P, D)`` (position-wise) or ``(N, Q, D)`` (grouped).
            key: same shape as ``query``; ``(N, M, D)`` with ``targets``.
            queue: shared negatives without gradient, ``(K, ) + key.shape[1:]``.
            negatives: per-query extra negatives ``query.shape[:-1] + (A, D)``, e.g.
                ``(N, A, D)``; with ``symmetric=True`` they serve both directions.
            targets: soft ``(N, Q, M)`` targets over the query's own ``M`` keys (grouped
                form, one-way); None: hard, ``key[i]`` is the positive of ``query[i]``.
        """
        if targets is None:
            if query.shape != key.shape:
                raise ValueError(f'query {tuple(query.shape)} and key '
                                 f'{tuple(key.shape)} differ')
        else:
            if self.symmetric:
                raise ValueError('soft targets are one-way: use symmetric=False')
            expect = query.shape[:2] + key.shape[1:2]
            if query.dim() != 3 or key.dim() != 3 or targets.shape != expect:
                raise ValueError(f'grouped targets: query (N, Q, D), key (N, M, D) and '
                                 f'targets (N, Q, M); got {tuple(query.shape)}, '
                                 f'{tuple(key.shape)} and {tuple(targets.shape)}')
        loss, acc = self._one_way(query, key, queue, negatives, targets)
        if self.symmetric:
            loss2, acc2 = self._one_way(key, query, queue, negatives, None)
            loss, acc = (loss + loss2) / 2, (acc + acc2) / 2
        return self.loss_weight * loss, acc
