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

``h(u, v) = exp(u.v / tau)`` on L2-normalised vectors. The terms' formulas live in
``models/losses`` (``graph_constraint``, ``swapped_prediction``, ``temporal_contrast``) and
the heads that own their parameters and state in ``models/heads/mlrep.py``; the algorithm
builds the views and reads as the objective. Every term is ``loss_<term>`` with
its weight from ``loss_weights`` (from the authors' code: ``L_high + L_ret,high + 0.5 (L_mid +
L_ret,mid) + 0.3 (L_low + L_ret,low) + 0.5 L_proto`` plus ``L_mul`` at 1 / 0.5 / 0.3).
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..losses.graph_constraint import (GRAPH_MODES, batch_graph, cross_view_instance_loss,
                                       cross_view_log_similarity)
from ..necks.projection import pool_features
from ..utils import gather_with_grad, global_indices
from .base import BaseVideoSSL, check_loss_weights

LEVELS = ('low', 'mid', 'high')
DEFAULT_WEIGHTS = dict(
    ins=1.0,
    proto=0.5,
    mul_high=1.0,
    mul_mid=0.5,
    mul_low=0.3,
    aug_high=0.0,  # off in the paper's method (Eq. 11-12 on low / mid); Table 3's CTM uses it
    aug_mid=0.5,
    aug_low=0.3,
    ret_high=1.0,
    ret_mid=0.5,
    ret_low=0.3)
#: state-dict keys before the queue moved into the prototype head -> their keys now
RENAMED_KEYS = {
    'proto_queue.queue': 'proto_head.queue.queue',
    'proto_queue.ptr': 'proto_head.queue.ptr',
    'queue_filled': 'proto_head.queue_filled'
}


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


def _merged(default: dict, override: Optional[dict]) -> dict:
    """``default`` updated by ``override``, nested dicts merged key by key."""
    out = dict(default)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            value = _merged(out[key], value)
        out[key] = value
    return out


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
        proto_head: overrides of the high-level head, by default ``dict(type=
            'PrototypeHead', in_channels=<high>, out_channels=proj_channels,
            num_prototypes=num_prototypes, queue_length=queue_length, loss=dict(type=
            'SwappedPredictionLoss', temperature=proto_temperature, sinkhorn_eps=
            sinkhorn_eps, sinkhorn_iters=sinkhorn_iters))``.
        level_neck: overrides of the low/mid projections for L_mul, by default
            ``dict(type='MLPProjection', out_channels=proj_channels, num_layers=2,
            with_bn=True)`` (``in_channels`` is the level's width).
        temporal_head: overrides of the per-level temporal heads, by default
            ``dict(type='TemporalTokenHead', out_channels=proj_channels, reduction=
            me_reduction, temperature=temperature, batch_negatives=aug_batch_negatives)``
            (``in_channels`` is the level's width, ``with_me`` is on below the high level).
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
                 proto_head: Optional[dict] = None,
                 level_neck: Optional[dict] = None,
                 temporal_head: Optional[dict] = None,
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
        if graph not in GRAPH_MODES:
            raise ValueError(f'graph must be one of {GRAPH_MODES}, got {graph!r}')
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
        self.eta = eta
        self.graph = graph
        self.temporal_mode = temporal_mode
        self.temporal_augs = tuple(temporal_augs)

        # high level: projection z (Eq. 2), prototypes P, score queue and L_proto (Eq. 4)
        self.proto_head = MODELS.build(
            _merged(
                dict(
                    type='PrototypeHead',
                    in_channels=self.channels['high'],
                    out_channels=proj_channels,
                    num_prototypes=num_prototypes,
                    queue_length=queue_length,
                    loss=dict(
                        type='SwappedPredictionLoss',
                        temperature=proto_temperature,
                        sinkhorn_eps=sinkhorn_eps,
                        sinkhorn_iters=sinkhorn_iters)), proto_head))
        # lower levels: projections for L_mul (Eq. 10)
        neck = _merged(
            dict(type='MLPProjection', out_channels=proj_channels, num_layers=2, with_bn=True),
            level_neck)
        self.level_proj = nn.ModuleDict({
            lv: MODELS.build(dict(neck, in_channels=self.channels[lv]))
            for lv in ('low', 'mid') if weights[f'mul_{lv}'] > 0
        })
        # temporal heads (Eq. 11-13): ME on low and mid, plain MLP on high
        head = _merged(
            dict(
                type='TemporalTokenHead',
                out_channels=proj_channels,
                reduction=me_reduction,
                temperature=temperature,
                batch_negatives=aug_batch_negatives), temporal_head)
        self.temporal_heads = nn.ModuleDict({
            lv:
            MODELS.build(dict(head, in_channels=self.channels[lv], with_me=lv != 'high'))
            for lv in LEVELS if weights.get(f'aug_{lv}', 0) > 0 or weights[f'ret_{lv}'] > 0
        })
        self.register_buffer('mul_on', torch.tensor([int(mul_on)], dtype=torch.long))
        self.register_buffer('queue_on', torch.tensor([int(queue_on)], dtype=torch.long))

    # ------------------------------------------------------------------ stage and state
    def set_stage(self, mul_on: bool, queue_on: bool) -> None:
        """Called by ``MLRepStageHook`` before each epoch (two-stage training as one run)."""
        self.mul_on.fill_(int(mul_on))
        self.queue_on.fill_(int(queue_on))

    @property
    def num_prototypes(self) -> int:
        return self.proto_head.num_prototypes

    @property
    def queue_filled(self) -> torch.Tensor:
        """``(1,)`` rows of the prototype-score queue filled so far."""
        return self.proto_head.queue_filled

    @property
    def proto_tau(self) -> float:
        return self.proto_head.loss_module.temperature

    @property
    def sinkhorn_eps(self) -> float:
        return self.proto_head.loss_module.sinkhorn_eps

    @property
    def sinkhorn_iters(self) -> int:
        return self.proto_head.loss_module.sinkhorn_iters

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        """Checkpoints written before the queue moved into ``proto_head`` load as well."""
        for old, new in RENAMED_KEYS.items():
            if prefix + old in state_dict and prefix + new not in state_dict:
                state_dict[prefix + new] = state_dict.pop(prefix + old)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # ------------------------------------------------------------------ objective
    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs`` ``(N, 3, C, T, H, W)``: short clip 1, short clip 2, global clip."""
        if inputs.dim() != 6 or inputs.shape[1] < 3:
            raise ValueError('MLRep expects (N, 3, C, T, H, W) inputs (two short clips and '
                             f'the global clip), got {tuple(inputs.shape)}')
        n, w = inputs.shape[0], self.loss_weights
        feats = dict(zip(LEVELS, self.extract_views(inputs, views=(0, 1, 2))[-3:]))
        diag = global_indices(n, inputs.device)  # own column in the gathered batch
        out = {}

        # L_ins (Eq. 2-3): instance discrimination of the projected high level z
        z = self.proto_head.project(self._pooled_short(feats['high']))  # (N, 2, D)
        keys = gather_with_grad(z)  # (M, 2, D): the global batch
        log_sim = {'high': cross_view_log_similarity(z, keys, diag, self.tau)}  # (N, 2, M)
        out['loss_ins'] = w['ins'] * cross_view_instance_loss(log_sim['high'], diag)
        out['acc_ins'] = (log_sim['high'].argmax(dim=2) == diag[:, None]).float().mean()

        # L_proto (Eq. 4): swapped prediction of Sinkhorn targets (with the score queue)
        loss_proto, assignments = self.proto_head.loss(z, use_queue=self.queue_on)
        out['loss_proto'] = w['proto'] * loss_proto

        # graph E (Eq. 6-9) of the global batch from the high level, no gradient
        graph, clusters = batch_graph(z, keys, assignments, diag, self.tau, self.eta, self.graph)
        out['graph_edges'] = (graph > 0).sum(dim=1).float().mean()
        # prototypes used by the global batch (fixed-size count: no unique(), no host read)
        out['num_clusters'] = torch.zeros(
            self.num_prototypes, device=clusters.device).index_fill_(0, clusters, 1.).sum()

        # L_mul (Eq. 10): every level's Eq. 3 distribution against E (0 before the stage)
        mul = self.mul_on[0].to(inputs.dtype)
        for lv in LEVELS:
            if w[f'mul_{lv}'] <= 0:
                continue
            if lv not in log_sim:
                zl = F.normalize(
                    self.level_proj[lv](self._pooled_short(feats[lv]).flatten(0, 1)),
                    dim=1).view(n, 2, -1)
                log_sim[lv] = cross_view_log_similarity(zl, gather_with_grad(zl), diag, self.tau)
            out[f'loss_mul_{lv}'] = w[f'mul_{lv}'] * mul * cross_view_instance_loss(
                log_sim[lv], graph)
        out['mul_on'] = self.mul_on.float().squeeze(0)

        # L_aug (Eq. 11-12) and L_ret (Eq. 13) on each level's temporal head
        out.update(self._temporal_losses(inputs, feats, diag))
        return out

    @staticmethod
    def _pooled_short(feat: torch.Tensor) -> torch.Tensor:
        """``(N, 3, C, T, H, W)`` level map -> ``(N, 2, C)`` pooled short clips."""
        n = feat.shape[0]
        return pool_features(feat[:, :2].flatten(0, 1), 'avg').view(n, 2, -1)

    def _temporal_copies(self, inputs: torch.Tensor,
                         feats: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Per level, ``(A*2N, C, T, H, W)`` temporally transformed copies of the short
        clips: of their features (``'feature'``) or through the backbone (``'input'``)."""
        levels = [lv for lv in self.temporal_heads if self.loss_weights.get(f'aug_{lv}', 0) > 0]
        if not levels:
            return {}
        if self.temporal_mode == 'input':  # conventional input-level transforms (Table 3)
            clips = inputs[:, :2].flatten(0, 1)  # (2N, C, T, H, W)
            stacked = torch.cat([temporal_transform(clips, a) for a in self.temporal_augs])
            copies = dict(zip(LEVELS, self.extract_feat(stacked)[-3:]))
            return {lv: copies[lv] for lv in levels}
        return {
            lv:
            torch.cat(
                [temporal_transform(feats[lv][:, :2].flatten(0, 1), a) for a in self.temporal_augs])
            for lv in levels
        }

    def _temporal_losses(self, inputs: torch.Tensor, feats: Dict[str, torch.Tensor],
                         diag: torch.Tensor) -> Dict[str, torch.Tensor]:
        n, w, out = inputs.shape[0], self.loss_weights, {}
        copies = self._temporal_copies(inputs, feats)
        for lv, head in self.temporal_heads.items():
            # one ME pass over short clips, global clip and copies (shared BN statistics)
            parts = [feats[lv][:, :2].flatten(0, 1), feats[lv][:, 2]]
            pooled = head.pooled(torch.cat(parts + ([copies[lv]] if lv in copies else [])))
            short, long = pooled[:2 * n], pooled[2 * n:3 * n]  # (2N | N, C, T)
            if lv in copies:
                loss, acc = head.loss_aug(short, pooled[3 * n:], diag)
                out[f'loss_aug_{lv}'] = w[f'aug_{lv}'] * loss
                out[f'acc_aug_{lv}'] = acc.detach()
            if w[f'ret_{lv}'] > 0:
                loss, acc = head.loss_ret(short, long, self.num_tokens[lv])
                out[f'loss_ret_{lv}'] = w[f'ret_{lv}'] * loss
                out[f'acc_ret_{lv}'] = acc.detach()
        return out

    def extra_repr(self) -> str:
        return (f'K={self.num_prototypes}, graph={self.graph!r}, temporal_mode='
                f'{self.temporal_mode!r}, augs={self.temporal_augs}, tokens={self.num_tokens}')


__all__: List[str] = ['MLRep', 'temporal_transform']
