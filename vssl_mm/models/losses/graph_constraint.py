"""mlrep's cross-view instance similarity and graph constraint (Qian et al., ICCV 2021).

Views ``z`` are ``(B, 2, D)`` L2-normalised local vectors (both augmentations of each
sample), ``keys`` the same views gathered from all ranks ``(M, 2, D)`` and ``diag``
``(B,)`` the global index of each local sample (its own column). ``h(u, v) = exp(u.v /
tau)``.
"""
import math
from typing import Tuple

import torch
import torch.nn.functional as F

from ..utils.distributed import concat_all_gather
from .info_nce import info_nce_logits_loss

MASKED = -1e4  # finite "minus infinity" for logits (keeps gradients finite)
GRAPH_MODES = ('combined', 'instance', 'semantic', 'onehot')


def cross_view_logits(q: torch.Tensor, keys: torch.Tensor, diag: torch.Tensor,
                      tau: float) -> torch.Tensor:
    """``q (B, A, D)`` against both views of ``keys (M, 2, D)`` -> ``(B, A, 2, M)`` logits
    ``q.k / tau``, with the own-video entries ``j = diag[i]`` set to :data:`MASKED`."""
    b, a, d = q.shape
    logits = (q.reshape(b * a, d) @ keys.flatten(0, 1).t()) / tau  # (B*A, M*2)
    logits = logits.view(b, a, keys.shape[0], 2).transpose(2, 3)
    own = F.one_hot(diag, keys.shape[0]).bool()  # (B, M)
    return logits.masked_fill(own[:, None, None], MASKED)


def _own_pair_or(other: torch.Tensor, z: torch.Tensor, diag: torch.Tensor,
                 tau: float) -> torch.Tensor:
    """``other`` ``(B, M)`` or ``(B, 2, M)`` with the own column ``j = diag[i]`` replaced
    by ``z^1_i . z^2_i / tau``."""
    pos = ((z[:, 0] * z[:, 1]).sum(dim=1) / tau)[:, None]  # (B, 1)
    own = F.one_hot(diag, other.shape[-1]).bool()  # (B, M)
    if other.dim() == 3:
        pos, own = pos[:, None], own[:, None]
    return torch.where(own, pos, other)


def cross_view_log_similarity(z: torch.Tensor, keys: torch.Tensor, diag: torch.Tensor,
                              tau: float) -> torch.Tensor:
    """``log h(z^a_i, z^*_j)`` of Eq. 3 for both views ``a`` -> ``(B, 2, M)``.

    ``j = i``: ``z^1_i . z^2_i / tau``; ``j != i``: ``log(h(z^a_i, z^1_j) + h(z^a_i,
    z^2_j))``.
    """
    other = torch.logsumexp(cross_view_logits(z, keys, diag, tau), dim=2)  # (B, 2, M)
    return _own_pair_or(other, z, diag, tau)


def instance_graph_log_weights(z: torch.Tensor, keys: torch.Tensor, diag: torch.Tensor,
                               tau: float) -> torch.Tensor:
    """``log W(i, j)`` of Eq. 8 -> ``(B, M)``: ``h(z^1_i, z^2_i)`` on the own column,
    ``1/4 sum_{m,n} h(z^m_i, z^n_j)`` elsewhere."""
    both = cross_view_logits(z, keys, diag, tau).flatten(1, 2)  # (B, 4, M)
    other = torch.logsumexp(both, dim=1) - math.log(4.0)
    return _own_pair_or(other, z, diag, tau)


@torch.no_grad()
def graph_targets(log_w: torch.Tensor,
                  labels: torch.Tensor,
                  labels_all: torch.Tensor,
                  diag: torch.Tensor,
                  eta: float = 0.05,
                  mode: str = 'combined') -> torch.Tensor:
    """Soft targets ``E`` ``(B, M)`` of Eq. 6-9 (rows sum to 1, no gradient).

    ``E_ins(i, j) = W(i, j)`` where ``W(i, j) / sum_j W(i, j) >= eta`` else 0 (Eq. 6; the
    own-video entry is always kept so a row is never empty); ``E_sem(i, j) = [labels_i ==
    labels_all_j]`` (Eq. 7); ``E = E_ins E_sem / sum_k E_ins E_sem`` (Eq. 9).

    ``mode``: ``'combined'`` (Eq. 9), ``'instance'`` (E_ins only), ``'semantic'``
    (E_sem only), ``'onehot'`` (own video only): Table 2's rows.
    """
    if mode not in GRAPH_MODES:
        raise ValueError(f"graph mode must be 'combined', 'instance', 'semantic' or "
                         f"'onehot', got {mode!r}")
    own = F.one_hot(diag, log_w.shape[1]).bool()
    w_bar = torch.softmax(log_w.float(), dim=1)  # W / sum_j W: same ratios as W
    e_ins = torch.where((w_bar >= eta) | own, w_bar, torch.zeros_like(w_bar))
    e_sem = (labels[:, None] == labels_all[None, :]).to(w_bar.dtype)
    e = dict(
        combined=lambda: e_ins * e_sem,
        instance=lambda: e_ins,
        semantic=lambda: e_sem,
        onehot=lambda: own.to(w_bar.dtype))[mode]()
    return e / e.sum(dim=1, keepdim=True)


@torch.no_grad()
def batch_graph(z: torch.Tensor,
                keys: torch.Tensor,
                assignments: torch.Tensor,
                diag: torch.Tensor,
                tau: float,
                eta: float = 0.05,
                mode: str = 'combined') -> Tuple[torch.Tensor, torch.Tensor]:
    """The graph ``E`` of the global batch (Eq. 6-9) from the high-level views.

    Args:
        z: ``(B, 2, D)`` local views; keys: ``(M, 2, D)`` gathered views.
        assignments: ``(B, 2, K)`` Sinkhorn targets of both views; a sample's cluster is
            ``argmax_k (s^1 + s^2)``.
        diag: ``(B,)`` own columns.

    Returns:
        ``E`` ``(B, M)`` (rows sum to 1) and the clusters of the global batch ``(M,)``.
    """
    labels = assignments.sum(dim=1).argmax(dim=1)
    labels_all = concat_all_gather(labels)
    log_w = instance_graph_log_weights(z.detach(), keys.detach(), diag, tau)
    return graph_targets(log_w, labels, labels_all, diag, eta, mode), labels_all


def cross_view_instance_loss(log_sim: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of both views' ``(B, 2, M)`` log-similarities against targets shared
    by the views, averaged over views and samples.

    Hard ``(B,)`` targets (the own column) give L_ins (Eq. 2); the soft graph ``E``
    ``(B, M)`` gives L_mul (Eq. 10).
    """
    b, a, m = log_sim.shape
    shared = targets[:, None].expand(b, a, *targets.shape[1:]).flatten(0, 1)
    return info_nce_logits_loss(log_sim.flatten(0, 1), shared)
