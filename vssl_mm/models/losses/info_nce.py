"""InfoNCE with negatives gathered from all ranks (written once, used by every method)."""
from typing import Callable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..utils.distributed import gather_with_grad, world_info


def dot_similarity(query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    """``(B, D) x (M, D) -> (B, M)`` dot products (cosine for L2-normalised inputs)."""
    return query @ keys.t()


def info_nce_logits_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of ``(B, M)`` logits against hard ``(B,)`` or soft ``(B, M)`` targets.

    Soft targets (rows summing to 1) give the multi-positive / soft InfoNCE used by
    mlrep (Eq. 3, 10) and ctrl_aug (Eq. 4): ``-sum_j t_ij log softmax(logits)_ij``.
    """
    if targets.dim() == 1:
        return F.cross_entropy(logits, targets)
    return -(targets * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """InfoNCE between ``query[i]`` and ``key[i]``; the keys of every other sample on every
    rank (and an optional queue) are negatives.

    ``L = -1/B sum_i log exp(s(q_i, k_i)/tau) / sum_j exp(s(q_i, k_j)/tau)`` where ``j``
    runs over the ``W*B`` keys gathered from all ranks (with the exact gradient:
    :func:`gather_with_grad`) and the ``K`` queue entries (no gradient). With
    ``symmetric=True`` the loss is averaged with the key->query direction.

    Args:
        temperature: tau.
        gather: gather keys from all ranks as negatives.
        symmetric: also compute the loss with queries and keys swapped.
        similarity: ``f(q (B, D), k (M, D)) -> (B, M)``; dot product by default.
    """

    def __init__(self, temperature: float = 0.1, gather: bool = True,
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

    def _one_way(self, query: torch.Tensor, key: torch.Tensor,
                 queue: Optional[torch.Tensor]) -> tuple:
        b = query.shape[0]
        rank, world = world_info()
        keys = gather_with_grad(key) if self.gather else key
        offset = rank * b if (self.gather and world > 1) else 0
        if queue is not None:
            keys = torch.cat([keys, queue.detach()], dim=0)
        logits = self.similarity(query, keys) / self.temperature
        targets = torch.arange(b, device=query.device) + offset
        acc = (logits.argmax(dim=1) == targets).float().mean()
        self.last_num_candidates = keys.shape[0]
        return info_nce_logits_loss(logits, targets), acc

    def forward(self, query: torch.Tensor, key: torch.Tensor,
                queue: Optional[torch.Tensor] = None) -> tuple:
        """Return ``(loss, top1_accuracy)`` for ``(B, D)`` queries and keys."""
        if query.shape != key.shape:
            raise ValueError(f'query {tuple(query.shape)} and key {tuple(key.shape)} differ')
        loss, acc = self._one_way(query, key, queue)
        if self.symmetric:
            loss2, acc2 = self._one_way(key, query, queue)
            loss, acc = (loss + loss2) / 2, (acc + acc2) / 2
        return self.loss_weight * loss, acc
