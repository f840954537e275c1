"""mlrep's temporal terms (Qian et al., ICCV 2021): transformed copies of a clip as
negatives (L_aug, Eq. 11-12) and timestamp retrieval between short and global clips
(L_ret, Eq. 13). Inputs are L2-normalised; ``h(u, v) = exp(u.v / tau)``."""
from typing import Optional, Tuple

import torch

from .graph_constraint import cross_view_logits
from .info_nce import info_nce_logits_loss


def transformed_copy_contrast_loss(q: torch.Tensor,
                                   copies: torch.Tensor,
                                   tau: float,
                                   keys: Optional[torch.Tensor] = None,
                                   diag: Optional[torch.Tensor] = None
                                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Eq. 11-12: ``-log h(q^1_i, q^2_i) / (h(q^1_i, q^2_i) + sum_c h(q^a_i, c(q^a_i)))``
    for both views ``a``, averaged.

    Args:
        q: ``(B, 2, D)`` the two clips of each sample.
        copies: ``(A, B, 2, D)`` their temporally transformed copies (negatives).
        tau: temperature.
        keys: ``(M, 2, D)`` the clips of the global batch: with ``diag`` ``(B,)`` (own
            columns), the other videos are negatives too (authors' code); ``None`` is
            Eq. 11-12 literally.

    Returns:
        ``(loss, top-1 accuracy of the positive)``.
    """
    b = q.shape[0]
    pos = ((q[:, 0] * q[:, 1]).sum(dim=1) / tau)[:, None, None].expand(b, 2, 1)
    parts = [pos, torch.einsum('bvd,kbvd->bvk', q, copies) / tau]  # (B, 2, 1 + A)
    if keys is not None:
        parts.append(cross_view_logits(q, keys, diag, tau).flatten(2))  # (B, 2, 2M)
    logits = torch.cat(parts, dim=2).flatten(0, 1)  # (2B, 1 + A [+ 2M])
    target = torch.zeros(logits.shape[0], dtype=torch.long, device=q.device)
    acc = (logits.argmax(dim=1) == 0).float().mean()
    return info_nce_logits_loss(logits, target), acc


def timestamp_retrieval_loss(short: torch.Tensor, long: torch.Tensor,
                             tau: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Eq. 13: ``short`` and ``long`` ``(B, t, D)`` tokens; token ``k`` of both covers the
    same timestamp. Cross-entropy over the ``t`` tokens of the same video, both ways.

    Returns ``(loss, top-1 accuracy of short -> long)``.
    """
    b, t, _ = short.shape
    logits = torch.einsum('bkd,bld->bkl', short, long) / tau  # (B, t, t)
    labels = torch.arange(t, device=short.device).repeat(b)
    loss = (info_nce_logits_loss(logits.flatten(0, 1), labels) +
            info_nce_logits_loss(logits.transpose(1, 2).flatten(0, 1), labels)) / 2
    acc = (logits.argmax(dim=2).flatten() == labels).float().mean()
    return loss, acc
