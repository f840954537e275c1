"""Multi-level Feature Optimization (Qian et al., ICCV 2021, "mlrep").

Inputs ``(N, 3, C, T, H, W)``: views 0 and 1 are two adjacent short clips of one window
(the two "augmentations" ``a = 1, 2`` of the paper), view 2 is the long global clip over
the same window (see ``MultiLevelWindowSampler``). One backbone pass gives three levels
(R3D-18: low = res3, mid = res4, high = res5). The objective, top to bottom:

- Eq. 2-3  ``L_ins``: InfoNCE on the projected high-level ``z``; for sample ``i`` the
  candidates are its pair ``h(z^1_i, z^2_i)`` and, for every other sample ``j`` of the
  global batch (gathered from all ranks), ``h(z^a_i, z^1_j) + h(z^a_i, z^2_j)``.
- Eq. 4    ``L_proto`` (``L_sem``): swapped prediction between ``p^a = softmax(z^a P /
  0.1)`` and the Sinkhorn targets ``s^b`` of the other view, computed on the global batch
  plus a queue of past prototype scores (used once ``queue_on``).
- Eq. 6-9  graph ``E``: instance graph ``W`` (Eq. 8) row-normalised and thresholded at
  ``eta`` (Eq. 6) times the semantic graph (same ``argmax(s^1 + s^2)``, Eq. 7),
  row-normalised (Eq. 9), detached.
- Eq. 10   ``L_mul``: soft cross-entropy between ``E`` and each level's Eq. 3 similarity
  distribution (high, mid, low), switched on by ``MLRepStageHook`` (``mul_on``).
- Eq. 11-12 ``L_aug``: motion-excited, pooled, projected low/mid features; the reversed
  (optionally shuffled) feature copies of the same clip are negatives.
- Eq. 13   ``L_ret``: tokens of the two short clips (each pooled to ``t/2`` tokens,
  concatenated) retrieve the global clip's token at the same timestamp, both ways.

``h(u, v) = exp(u.v / tau)`` on L2-normalised vectors. Every term is ``loss_<term>`` with
its weight from ``loss_weights`` (from the authors' code: ``L_high + L_ret,high + 0.5 (L_mid +
L_ret,mid) + 0.3 (L_low + L_ret,low) + 0.5 L_proto`` plus ``L_mul`` at 1 / 0.5 / 0.3).
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..heads.mlrep import PrototypeHead, TemporalTokenHead
from ..losses.info_nce import info_nce_logits_loss
from ..necks.projection import MLPProjection, pool_features
from ..utils import KeyQueue, concat_all_gather, gather_with_local_grad, world_info
from ..utils.sinkhorn import distributed_sinkhorn
from .base import BaseVideoSSL, check_loss_weights

LEVELS = ('low', 'mid', 'high')
MASKED = -1e4  # finite "minus infinity" for logits (keeps gradients finite)
DEFAULT_WEIGHTS = dict(
    ins=1.0, proto=0.5,
    mul_high=1.0, mul_mid=0.5, mul_low=0.3,
    aug_mid=0.5, aug_low=0.3,
    ret_high=1.0, ret_mid=0.5, ret_low=0.3)


# ---------------------------------------------------------------------- Eq. 3 and 8
def cross_view_logits(q: torch.Tensor, k1: torch.Tensor, k2: torch.Tensor,
                      diag: torch.Tensor, tau: float) -> torch.Tensor:
    """``q (B, D)`` against both views ``k1, k2 (M, D)`` -> ``(B, 2, M)`` logits ``q.k/tau``
    with the own-video entries ``j = diag[i]`` set to :data:`MASKED`."""
    logits = torch.stack([q @ k1.t(), q @ k2.t()], dim=1) / tau
    own = torch.zeros(q.shape[0], k1.shape[0], dtype=torch.bool, device=q.device)
    own[torch.arange(q.shape[0], device=q.device), diag] = True
    return logits.masked_fill(own[:, None], MASKED)


def eq3_log_similarity(qa: torch.Tensor, z1: torch.Tensor, z2: torch.Tensor,
                       k1: torch.Tensor, k2: torch.Tensor, diag: torch.Tensor,
                       tau: float) -> torch.Tensor:
    """``log h(z^a_i, z^*_j)`` of Eq. 3 -> ``(B, M)``.

    ``j = i``: ``z^1_i . z^2_i / tau``; ``j != i``: ``log(h(z^a_i, z^1_j) + h(z^a_i,
    z^2_j))``. ``qa = z^a`` (local ``(B, D)``), ``z1, z2`` local views, ``k1, k2`` the
    gathered views ``(M, D)``, ``diag`` ``(B,)`` the global index of each local sample.
    """
    other = torch.logsumexp(cross_view_logits(qa, k1, k2, diag, tau), dim=1)
    pos = (z1 * z2).sum(dim=1) / tau
    own = F.one_hot(diag, k1.shape[0]).bool()
    return torch.where(own, pos[:, None], other)


def eq8_log_w(z1: torch.Tensor, z2: torch.Tensor, k1: torch.Tensor, k2: torch.Tensor,
              diag: torch.Tensor, tau: float) -> torch.Tensor:
    """``log W(i, j)`` of Eq. 8 -> ``(B, M)``: ``h(z^1_i, z^2_i)`` on the diagonal,
    ``1/4 sum_{m,n} h(z^m_i, z^n_j)`` elsewhere."""
    both = torch.stack([cross_view_logits(z1, k1, k2, diag, tau),
                        cross_view_logits(z2, k1, k2, diag, tau)], dim=1)  # (B, 2, 2, M)
    other = torch.logsumexp(both.flatten(1, 2), dim=1) - math.log(4.0)
    pos = (z1 * z2).sum(dim=1) / tau
    own = F.one_hot(diag, k1.shape[0]).bool()
    return torch.where(own, pos[:, None], other)


@torch.no_grad()
def graph_targets(log_w: torch.Tensor, labels: torch.Tensor, labels_all: torch.Tensor,
                  diag: torch.Tensor, eta: float = 0.05, mode: str = 'combined'
                  ) -> torch.Tensor:
    """Soft targets ``E`` ``(B, M)`` of Eq. 6-9 (rows sum to 1, no gradient).

    ``E_ins(i, j) = W(i, j)`` where ``W(i, j) / sum_j W(i, j) >= eta`` else 0 (Eq. 6; the
    own-video entry is always kept so a row is never empty); ``E_sem(i, j) = [labels_i ==
    labels_all_j]`` (Eq. 7); ``E = E_ins E_sem / sum_k E_ins E_sem`` (Eq. 9).

    ``mode``: ``'combined'`` (Eq. 9), ``'instance'`` (E_ins only), ``'semantic'``
    (E_sem only), ``'onehot'`` (own video only): Table 2's rows.
    """
    own = F.one_hot(diag, log_w.shape[1]).bool()
    w_bar = torch.softmax(log_w.float(), dim=1)  # W / sum_j W: same ratios as W
    e_ins = torch.where((w_bar >= eta) | own, w_bar, torch.zeros_like(w_bar))
    e_sem = (labels[:, None] == labels_all[None, :]).to(w_bar.dtype)
    if mode == 'combined':
        e = e_ins * e_sem
    elif mode == 'instance':
        e = e_ins
    elif mode == 'semantic':
        e = e_sem
    elif mode == 'onehot':
        e = own.to(w_bar.dtype)
    else:
        raise ValueError(f"graph mode must be 'combined', 'instance', 'semantic' or "
                         f"'onehot', got {mode!r}")
    return e / e.sum(dim=1, keepdim=True)


# ---------------------------------------------------------------------- Eq. 13
def timestamp_retrieval_loss(short: torch.Tensor, long: torch.Tensor, tau: float
                             ) -> tuple:
    """Eq. 13: ``short`` and ``long`` ``(B, t, D)`` tokens; token ``k`` of both covers the
    same timestamp. Cross-entropy over the ``t`` tokens of the same video, both ways.

    Returns ``(loss, top1 accuracy)``.
    """
    b, t, _ = short.shape
    logits = torch.einsum('bkd,bld->bkl', short, long) / tau  # (B, t, t)
    labels = torch.arange(t, device=short.device).repeat(b)
    loss = (F.cross_entropy(logits.flatten(0, 1), labels) +
            F.cross_entropy(logits.transpose(1, 2).flatten(0, 1), labels)) / 2
    acc = (logits.argmax(dim=2).flatten() == labels).float().mean()
    return loss, acc


def temporal_transform(x: torch.Tensor, name: str) -> torch.Tensor:
    """Reverse or shuffle the time axis (dim 2) of ``(B, C, T, ...)``.

    ``'shuffle'`` draws one non-identity permutation (a cyclic shift if the draw is the
    identity) for the whole batch.
    """
    if name == 'reverse':
        return x.flip(2)
    if name == 'shuffle':
        t = x.shape[2]
        perm = torch.randperm(t, device=x.device)
        if t > 1 and bool((perm == torch.arange(t, device=x.device)).all()):
            perm = perm.roll(1)
        return x[:, :, perm]
    raise ValueError(f"temporal augmentation must be 'reverse' or 'shuffle', got {name!r}")


@MODELS.register_module()
class MLRep(BaseVideoSSL):
    """Multi-level feature optimisation with graph constraints and temporal modelling.

    Args:
        backbone: returns the three levels ``(low, mid, high)`` as its last three outputs
            (R3D-18: ``out_indices=(1, 2, 3)``; S3D: ``(2, 3, 4)``).
        level_channels: widths of ``(low, mid, high)``.
        proj_channels: projection width (128).
        num_prototypes: K (1000 on K400, 200 on UCF101): sizes the prototypes and queue.
        temperature: tau of Eq. 1-3, 8, 10-13 (0.07).
        proto_temperature: softmax temperature of Eq. 4 (0.1).
        sinkhorn_eps, sinkhorn_iters: 0.05 and 3.
        queue_length: past prototype scores kept (1024; 0 disables the queue). Must be a
            multiple of the global batch.
        eta: E_ins threshold (0.05).
        graph: ``'combined'`` / ``'instance'`` / ``'semantic'`` / ``'onehot'``.
        temporal_mode: ``'feature'`` (ours: transforms on low/mid features), ``'input'``
            (conventional: transformed input clips through the backbone), ``'none'``.
        temporal_augs: ``('reverse', )`` or ``('reverse', 'shuffle')``.
        num_tokens: ``(low, mid, high)`` tokens of the global clip for Eq. 13 (8, 4, 2).
        aug_batch_negatives: also use other videos of the global batch as negatives in
            L_aug (authors' code); ``False`` is Eq. 11-12 literally.
        me_reduction: ME channel reduction (16).
        loss_weights: weights of every term (see :data:`DEFAULT_WEIGHTS`); a level whose
            ``mul``/``aug``/``ret`` weight is 0 builds no head for it.
        mul_on, queue_on: initial stage (the hook sets them every epoch).
    """

    def __init__(self,
                 backbone: dict,
                 level_channels: Sequence[int] = (128, 256, 512),
                 proj_channels: int = 128,
                 num_prototypes: int = 1000,
                 temperature: float = 0.07,
                 proto_temperature: float = 0.1,
                 sinkhorn_eps: float = 0.05,
                 sinkhorn_iters: int = 3,
                 queue_length: int = 1024,
                 eta: float = 0.05,
                 graph: str = 'combined',
                 temporal_mode: str = 'feature',
                 temporal_augs: Sequence[str] = ('reverse', ),
                 num_tokens: Sequence[int] = (8, 4, 2),
                 aug_batch_negatives: bool = True,
                 me_reduction: int = 16,
                 loss_weights: Optional[Dict[str, float]] = None,
                 mul_on: bool = False,
                 queue_on: bool = False,
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        if temporal_mode not in ('feature', 'input', 'none'):
            raise ValueError(f"temporal_mode must be 'feature', 'input' or 'none', got "
                             f'{temporal_mode!r}')
        if any(n < 2 or n % 2 for n in num_tokens):
            raise ValueError(f'num_tokens must be even and >= 2, got {num_tokens}')
        for name in temporal_augs:
            temporal_transform(torch.zeros(1, 1, 2), name)  # validates the name
        weights = dict(DEFAULT_WEIGHTS)
        weights.update(check_loss_weights(loss_weights, DEFAULT_WEIGHTS, 'MLRep'))
        if temporal_mode == 'none':
            weights.update({k: 0.0 for k in weights if k[:4] in ('aug_', 'ret_')})
        self.loss_weights = weights
        self.channels = dict(zip(LEVELS, level_channels))
        self.num_tokens = dict(zip(LEVELS, num_tokens))
        self.tau = temperature
        self.proto_tau = proto_temperature
        self.sinkhorn_eps = sinkhorn_eps
        self.sinkhorn_iters = sinkhorn_iters
        self.eta = eta
        self.graph = graph
        graph_targets(torch.zeros(1, 1), torch.zeros(1), torch.zeros(1),
                      torch.zeros(1, dtype=torch.long), mode=graph)  # validates
        self.temporal_mode = temporal_mode
        self.temporal_augs = tuple(temporal_augs)
        self.aug_batch_negatives = aug_batch_negatives
        self.num_prototypes = num_prototypes

        # high level: projection z (Eq. 2) + prototypes P (Eq. 4)
        self.proto_head = PrototypeHead(self.channels['high'], proj_channels, num_prototypes)
        # lower levels: projections for L_mul (Eq. 10)
        self.level_proj = nn.ModuleDict({
            lv: MLPProjection(self.channels[lv], proj_channels, num_layers=2, with_bn=True)
            for lv in ('low', 'mid') if weights[f'mul_{lv}'] > 0})
        # temporal heads (Eq. 11-13): ME on low and mid, plain MLP on high
        self.temporal_heads = nn.ModuleDict({
            lv: TemporalTokenHead(self.channels[lv], proj_channels, with_me=lv != 'high',
                                  reduction=me_reduction)
            for lv in LEVELS
            if weights.get(f'aug_{lv}', 0) > 0 or weights[f'ret_{lv}'] > 0})
        # queue of past prototype scores of both views (gathered: identical on all ranks)
        self.proto_queue = None
        if queue_length > 0:
            self.proto_queue = KeyQueue(queue_length, 2 * num_prototypes, normalize=False)
            self.proto_queue.queue.zero_()
        self.register_buffer('queue_filled', torch.zeros(1, dtype=torch.long))
        self.register_buffer('mul_on', torch.tensor([int(mul_on)], dtype=torch.long))
        self.register_buffer('queue_on', torch.tensor([int(queue_on)], dtype=torch.long))

    # ------------------------------------------------------------------ stage
    def set_stage(self, mul_on: bool, queue_on: bool) -> None:
        """Called by ``MLRepStageHook`` before each epoch (two-stage training as one run)."""
        self.mul_on.fill_(int(mul_on))
        self.queue_on.fill_(int(queue_on))

    # ------------------------------------------------------------------ Eq. 4 parts
    @torch.no_grad()
    def sinkhorn_targets(self, scores: torch.Tensor) -> torch.Tensor:
        """``(B, 2, K)`` detached scores -> ``(B, 2, K)`` Sinkhorn targets on the global
        batch (plus the filled part of the queue once ``queue_on``)."""
        use_queue = self.proto_queue is not None and bool(self.queue_on.item())
        filled = int(self.queue_filled.item()) if use_queue else 0  # host reads: the
        use_queue = use_queue and filled > 0  # queue slice has a data-dependent length
        out = []
        for a in range(2):
            shared = None
            if use_queue:
                shared = self.proto_queue.queue[:filled].view(filled, 2, -1)[:, a]
            out.append(distributed_sinkhorn(scores[:, a], self.sinkhorn_eps,
                                            self.sinkhorn_iters, shared=shared))
        return torch.stack(out, dim=1)

    @torch.no_grad()
    def enqueue_scores(self, scores: torch.Tensor) -> None:
        """Push the global batch's ``(B, 2, K)`` scores (gathered inside ``enqueue``)."""
        if self.proto_queue is None:
            return
        self.proto_queue.enqueue(scores.flatten(1))
        _, world = world_info()
        # on the buffer's device (no host read): min(filled + global batch, length)
        self.queue_filled.add_(scores.shape[0] * world).clamp_(max=self.proto_queue.length)

    # ------------------------------------------------------------------ Eq. 11-12
    def _aug_loss(self, q: torch.Tensor, aug: torch.Tensor, diag: torch.Tensor) -> tuple:
        """``q (B, 2, D)`` clips, ``aug (A, B, 2, D)`` their transformed copies -> L_aug."""
        k1 = gather_with_local_grad(q[:, 0]) if self.aug_batch_negatives else None
        k2 = gather_with_local_grad(q[:, 1]) if self.aug_batch_negatives else None
        pos = (q[:, 0] * q[:, 1]).sum(dim=1, keepdim=True) / self.tau
        losses, accs = [], []
        for a in range(2):
            qa = q[:, a]
            parts = [pos, torch.einsum('bd,kbd->bk', qa, aug[:, :, a]) / self.tau]
            if self.aug_batch_negatives:
                parts.append(cross_view_logits(qa, k1, k2, diag, self.tau).flatten(1))
            logits = torch.cat(parts, dim=1)
            target = torch.zeros(qa.shape[0], dtype=torch.long, device=qa.device)
            losses.append(F.cross_entropy(logits, target))
            accs.append((logits.argmax(dim=1) == 0).float().mean())
        return sum(losses) / 2, sum(accs) / 2

    # ------------------------------------------------------------------ objective
    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs`` ``(N, 3, C, T, H, W)``: short clip 1, short clip 2, global clip."""
        if inputs.dim() != 6 or inputs.shape[1] < 3:
            raise ValueError('MLRep expects (N, 3, C, T, H, W) inputs (two short clips and '
                             f'the global clip), got {tuple(inputs.shape)}')
        n = inputs.shape[0]
        w = self.loss_weights
        feats = dict(zip(LEVELS, self.extract_views(inputs, views=(0, 1, 2))[-3:]))
        rank, world = world_info()
        diag = torch.arange(n, device=inputs.device) + (rank * n if world > 1 else 0)
        out = {}

        # Eq. 2-3: instance discrimination on the high level
        z = self.proto_head.project(
            pool_features(feats['high'][:, :2].flatten(0, 1), 'avg')).view(n, 2, -1)
        k1, k2 = gather_with_local_grad(z[:, 0]), gather_with_local_grad(z[:, 1])
        logh_high = [eq3_log_similarity(z[:, a], z[:, 0], z[:, 1], k1, k2, diag, self.tau)
                     for a in range(2)]
        out['loss_ins'] = w['ins'] * sum(F.cross_entropy(lh, diag) for lh in logh_high) / 2
        out['acc_ins'] = sum((lh.argmax(1) == diag).float().mean()
                             for lh in logh_high).detach() / 2

        # Eq. 4: swapped prediction with Sinkhorn targets (queue of past scores)
        self.proto_head.normalize_prototypes()
        scores = self.proto_head(z.flatten(0, 1)).view(n, 2, -1)  # (N, 2, K)
        targets = self.sinkhorn_targets(scores.detach())
        logp = F.log_softmax(scores / self.proto_tau, dim=2)
        out['loss_proto'] = w['proto'] * -0.5 * (
            (targets[:, 0] * logp[:, 1]).sum(1) + (targets[:, 1] * logp[:, 0]).sum(1)).mean()
        self.enqueue_scores(scores.detach())

        # Eq. 6-9: graph of the global batch from the high level, detached
        with torch.no_grad():
            labels = (targets[:, 0] + targets[:, 1]).argmax(dim=1)
            labels_all = concat_all_gather(labels)
            log_w = eq8_log_w(z[:, 0].detach(), z[:, 1].detach(), k1.detach(), k2.detach(),
                              diag, self.tau)
            graph = graph_targets(log_w, labels, labels_all, diag, self.eta, self.graph)
        out['graph_edges'] = (graph > 0).sum(dim=1).float().mean()
        # prototypes used by the global batch (fixed-size count: no unique(), no host read)
        out['num_clusters'] = torch.zeros(self.num_prototypes, device=labels_all.device
                                          ).index_fill_(0, labels_all, 1.).sum()

        # Eq. 10: graph constraint on every level (zero weight before the stage switch)
        mul = self.mul_on[0].to(inputs.dtype)  # 0. or 1., kept on the device
        for lv in LEVELS:
            if w[f'mul_{lv}'] <= 0:
                continue
            if lv == 'high':
                logh = logh_high
            else:
                zr = F.normalize(self.level_proj[lv](
                    pool_features(feats[lv][:, :2].flatten(0, 1), 'avg')), dim=1).view(n, 2, -1)
                r1, r2 = gather_with_local_grad(zr[:, 0]), gather_with_local_grad(zr[:, 1])
                logh = [eq3_log_similarity(zr[:, a], zr[:, 0], zr[:, 1], r1, r2, diag,
                                           self.tau) for a in range(2)]
            l_mul = sum(info_nce_logits_loss(lh, graph) for lh in logh) / 2
            out[f'loss_mul_{lv}'] = w[f'mul_{lv}'] * mul * l_mul
        out['mul_on'] = self.mul_on.float().squeeze(0)

        # Eq. 11-13: temporal modelling
        if self.temporal_heads:
            out.update(self._temporal_losses(inputs, feats, diag))
        return out

    def _temporal_losses(self, inputs: torch.Tensor, feats: Dict[str, torch.Tensor],
                         diag: torch.Tensor) -> Dict[str, torch.Tensor]:
        n = inputs.shape[0]
        w = self.loss_weights
        out = {}
        input_aug = None
        if self.temporal_mode == 'input' and any(w.get(f'aug_{lv}', 0) > 0 for lv in LEVELS):
            # conventional input-level temporal augmentation (Table 3 baseline)
            clips = inputs[:, :2].flatten(0, 1)  # (2N, C, T, H, W)
            stacked = torch.cat([temporal_transform(clips, a) for a in self.temporal_augs])
            input_aug = dict(zip(LEVELS, self.extract_feat(stacked)[-3:]))
        for lv, head in self.temporal_heads.items():
            short = feats[lv][:, :2].flatten(0, 1)  # (2N, C, T, H, W)
            extra = []
            do_aug = w.get(f'aug_{lv}', 0) > 0
            if do_aug:
                extra = ([input_aug[lv]] if input_aug is not None else
                         [temporal_transform(short, a) for a in self.temporal_augs])
            pooled = head.pooled(torch.cat([short, feats[lv][:, 2]] + extra))  # (.., C, T)
            p_short, p_long = pooled[:2 * n], pooled[2 * n:3 * n]
            if do_aug:
                q = head.project_vector(p_short).view(n, 2, -1)
                aug = head.project_vector(pooled[3 * n:]).view(-1, n, 2, q.shape[-1])
                loss, acc = self._aug_loss(q, aug, diag)
                out[f'loss_aug_{lv}'] = w[f'aug_{lv}'] * loss
                out[f'acc_aug_{lv}'] = acc.detach()
            if w[f'ret_{lv}'] > 0:
                t = self.num_tokens[lv]
                s_tok = head.project_tokens(p_short, t // 2).view(n, t, -1)  # clip 1 | clip 2
                l_tok = head.project_tokens(p_long, t)
                loss, acc = timestamp_retrieval_loss(s_tok, l_tok, self.tau)
                out[f'loss_ret_{lv}'] = w[f'ret_{lv}'] * loss
                out[f'acc_ret_{lv}'] = acc.detach()
        return out

    def extra_repr(self) -> str:
        return (f'K={self.num_prototypes}, graph={self.graph!r}, temporal_mode='
                f'{self.temporal_mode!r}, augs={self.temporal_augs}, tokens={self.num_tokens}')


__all__: List[str] = ['MLRep', 'graph_targets', 'eq3_log_similarity', 'eq8_log_w',
                      'timestamp_retrieval_loss', 'temporal_transform', 'cross_view_logits']
