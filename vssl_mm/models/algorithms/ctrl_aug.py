"""Controllable Augmentations for Video Representation Learning (Qian, Lin, See, Li; 2022).

    L = w_rc L_rc (Eq. 3-4) + w_mi L_mi (Eq. 5-6) + w_td L_td (Eq. 7) [+ w_nce L_nce]

- Encoders: ``f`` (local clips) and ``f'`` (global video) are the *same* backbone
  weights; ``f'`` runs with the per-stage temporal strides ``global_temporal_strides``
  (R3D-18 at 16x112x112: local map 2x4x4 with the default (1, 2, 2, 2), global map 8x4x4
  with (1, 2, 1, 1); Table 4's ``T_v`` = 2 / 4 / 8 is (1, 2, 2, 2) / (1, 2, 2, 1) /
  (1, 2, 1, 1)).
- L_rc (Sec. 3.1): every cell ``i`` of ``f(v_k)`` is a query; the candidates are all
  cells of ``f'(v)`` and the global cells of every other video of the global batch
  (gathered from all ranks, Eq. 4); the target is the soft correspondence ``S_k(i, .)``
  (Eq. 1, from the recorded crop / flip / time parameters):
  ``L_rc = mean_{k,i} -sum_j S_k(i, j) log p_k^{ij}`` with ``sim = exp(cos / tau)``.
- L_mi (Sec. 3.2): the MINE critic G_theta is trained on (local clip of video a, global
  video of video b), a != b, joint = a and b augmented with the same intensity level,
  marginal = any a != b (gathered over ranks). ``loss_mi = -I`` for theta, the encoder
  sees it through gradient reversal (so it minimises I). ``loss_mi_lg = +I`` of the
  *frozen* critic on the local-global pairs of the same video (joint) against other
  videos (marginal), optimised through the encoder only. A rank without a same-level
  pair raises (``missing_pairs``); ``ctrl_aug_collate(samples_per_level=4)`` prevents it.
- L_td (Sec. 3.3): ``-I`` of the temporal head G_psi between the ordered clip features
  ``[f(v_1), ..., f(v_K)]`` (joint) or a shuffled order (marginal) and ``f'(v)``
  (pooled); VCOP-style head: order cross-entropy instead (Table 6).
- L_nce (Table 7 baseline term): clip InfoNCE between pooled local clips 0 and 1.
"""
import logging
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log

from vssl_mm.registry import MODELS
from ..heads.ctrl_aug import permute_clips, shuffle_clips
from ..losses.info_nce import InfoNCELoss
from ..losses.mine import mine_lower_bound
from ..necks.projection import pool_features
from ..utils.correspondence import correspondence_from_metainfo, grid_shape
from ..utils.distributed import concat_all_gather, gather_with_grad, global_indices
from ..utils.grad_reverse import grad_reverse
from .base import BaseVideoSSL, check_loss_weights


@MODELS.register_module()
class CtrlAug(BaseVideoSSL):
    """ctrl_aug pretraining.

    Inputs: ``inputs`` ``(N, K, C, T, H, W)`` local clips (time order); the global view
    ``(1, C, T', H, W)`` in each sample's metainfo under ``global_key``; the recorded
    ``ctrl_params`` and ``lowlevel_level`` (see ``vssl_mm.datasets.transforms.ctrl_aug``).

    Args:
        backbone: backbone config (its last output stage is used).
        global_temporal_strides: temporal strides of ``f'``: ``{stage: stride}`` or one
            stride per stage (``(1, 2, 1, 1)`` = R3D-18 with stages 2-3 at stride 1).
        projection: ``CellProjection`` config (per-cell MLP to 128-d); None if no L_rc.
        temperature: tau of Eq. 4 (0.07, our choice).
        critic: ``MINECritic`` config; None if no L_mi.
        td_head: ``TemporalDependencyHead`` config; None if no L_td.
        nce_neck: ``MLPProjection`` config for the L_nce baseline term (None: off).
        nce_temperature: tau of L_nce.
        loss_weights: ``dict(rc=, mi=, td=, nce=)``; a missing key means weight 0
            (and the term is not computed); an unknown key raises, naming it.
        grl_scale: gradient reversal scale for the encoder in L_mi.
        global_key: metainfo key of the global view.
        missing_pairs: what L_mi does when some rank's batch has no same-level pair
            (its critic would not train: the bound is 0): ``'error'`` (default) raises
            on every rank, naming the ranks and levels; ``'warn'`` logs a warning and
            counts the batch in the logged ``no_same_level_batches``.
    """

    MISSING_PAIRS = ('error', 'warn')
    TERMS = ('rc', 'mi', 'td', 'nce')  # the keys of loss_weights

    def __init__(self,
                 backbone: dict,
                 global_temporal_strides: Optional[dict] = None,
                 projection: Optional[dict] = None,
                 temperature: float = 0.07,
                 critic: Optional[dict] = None,
                 td_head: Optional[dict] = None,
                 nce_neck: Optional[dict] = None,
                 nce_temperature: float = 0.1,
                 loss_weights: dict = dict(rc=1., mi=1., td=1.),
                 grl_scale: float = 1.0,
                 global_key: str = 'global_view',
                 missing_pairs: str = 'error',
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        if missing_pairs not in self.MISSING_PAIRS:
            raise ValueError(f'missing_pairs={missing_pairs!r}: must be one of '
                             f'{self.MISSING_PAIRS}')
        self.missing_pairs = missing_pairs
        self.no_same_level_batches = 0
        if isinstance(global_temporal_strides, dict):
            global_temporal_strides = {int(k): int(v) for k, v in global_temporal_strides.items()}
        elif global_temporal_strides is not None:
            global_temporal_strides = tuple(int(v) for v in global_temporal_strides)
        self.global_temporal_strides = global_temporal_strides or None
        loss_weights = check_loss_weights(loss_weights, self.TERMS, 'CtrlAug')
        self.loss_weights = {k: float(v) for k, v in loss_weights.items() if v}
        self.temperature = temperature
        self.nce_temperature = nce_temperature
        self.grl_scale = grl_scale
        self.global_key = global_key
        need = dict(rc=projection, mi=critic, td=td_head, nce=nce_neck)
        for term, cfg in need.items():
            if term in self.loss_weights and cfg is None:
                raise ValueError(f'loss_weights has "{term}" but its module is None')
        self.projection = MODELS.build(projection) if 'rc' in self.loss_weights else None
        self.critic = MODELS.build(critic) if 'mi' in self.loss_weights else None
        self.td_head = MODELS.build(td_head) if 'td' in self.loss_weights else None
        self.nce_neck = MODELS.build(nce_neck) if 'nce' in self.loss_weights else None
        # Eq. 4: soft targets on the video's own cells, other videos' cells are negatives
        self.loss_rc = InfoNCELoss(temperature, gather=True, symmetric=False)
        self.loss_nce = InfoNCELoss(nce_temperature, gather=True, symmetric=True)

    # ------------------------------------------------------------------ encoders
    def encode(self, inputs: torch.Tensor, data_samples) -> tuple:
        """``f(v_k)`` ``(N, K, C, T_c, H, W)`` and ``f'(v)`` ``(N, C, T_v, H', W')``."""
        n, k = inputs.shape[:2]
        local = self.extract_feat(inputs.flatten(0, 1))[-1]
        local = local.view(n, k, *local.shape[1:])
        glob = torch.stack([s.metainfo[self.global_key][0] for s in data_samples])
        glob = self.extract_feat(
            glob.to(inputs.device), temporal_strides=self.global_temporal_strides)[-1]
        return local, glob

    # ------------------------------------------------------------------ L_rc (Eq. 3-4)
    def loss_region_contrast(self, local: torch.Tensor, glob: torch.Tensor,
                             data_samples) -> Dict[str, torch.Tensor]:
        """Every cell of ``f(v_k)`` ``(N, K, C, T_c, H, W)`` against all cells of ``f'(v)``
        ``(N, C, T_v, H', W')`` of the global batch, soft targets ``S_k`` (Eq. 1)."""
        n, k = local.shape[:2]
        s = correspondence_from_metainfo([d.metainfo['ctrl_params'] for d in data_samples],
                                         grid_shape(local),
                                         grid_shape(glob),
                                         device=local.device)  # (N, K, Nc, Nv)
        q = self.projection(local.flatten(0, 1)).view(n, k * s.shape[2], -1)  # (N,KNc,D)
        key = self.projection(glob)  # (N, Nv, D)
        loss, acc = self.loss_rc(q, key, targets=s.flatten(1, 2))
        return dict(
            loss_rc=self.loss_weights['rc'] * loss,
            acc_rc=acc.detach(),
            rc_candidates=q.new_tensor(float(self.loss_rc.last_num_candidates)))

    # ------------------------------------------------------------------ L_mi (Eq. 5-6)
    @staticmethod
    def same_level_pairs_per_rank(all_level: torch.Tensor, n: int, k: int) -> torch.Tensor:
        """Joint pairs of L_mi on each rank: ``(W,)`` counts of (clip of video a on that
        rank, global view of video b != a anywhere) with the same level, from the
        gathered ``(W*N,)`` level ids (identical on every rank)."""
        same = all_level[:, None] == all_level[None]
        partners = same.sum(1) - 1  # other videos of the global batch with a's level
        return partners.view(-1, n).sum(1) * k

    def _check_same_level_pairs(self, all_level: torch.Tensor, n: int, k: int) -> None:
        """Raise (``missing_pairs='error'``) or warn and count (``'warn'``) when a rank
        has no same-level pair; the decision is the same on every rank."""
        per_rank = self.same_level_pairs_per_rank(all_level, n, k)
        empty = (per_rank == 0).nonzero().flatten().tolist()
        if not empty:
            return
        levels = {r: all_level[r * n:(r + 1) * n].tolist() for r in empty}
        msg = (f'L_mi: no same-level pair on rank(s) {empty} (levels of their {n} '
               f'videos: {levels}): the MI critic gets no joint sample and does not train. '
               'Use collate_fn=dict(type="ctrl_aug_collate", samples_per_level=S) with '
               'S >= 2 dividing the per-rank batch size')
        if self.missing_pairs == 'error':
            raise RuntimeError(msg)
        self.no_same_level_batches += 1
        print_log(
            f'{msg} [no_same_level_batches={self.no_same_level_batches}]',
            logger='current',
            level=logging.WARNING)

    def loss_mutual_info(self, local_vec: torch.Tensor, glob_vec: torch.Tensor,
                         data_samples) -> Dict[str, torch.Tensor]:
        """``local_vec`` ``(N, K, C)``, ``glob_vec`` ``(N, C)`` pooled features."""
        n, k = local_vec.shape[:2]
        device = local_vec.device
        level = torch.tensor([int(d.metainfo['lowlevel_level']) for d in data_samples],
                             device=device)
        all_level = concat_all_gather(level)  # (W*N,)
        self._check_same_level_pairs(all_level, n, k)
        own = global_indices(n, device)
        video = own[:, None].expand(n, k).reshape(-1)  # global video id of each clip
        other = video[:, None] != torch.arange(len(all_level), device=device)[None]
        same = level[:, None].expand(n, k).reshape(-1)[:, None] == all_level[None]
        w = self.loss_weights['mi']
        # (a) estimator: theta maximises I, the encoder gets the reversed gradient
        x = grad_reverse(local_vec.flatten(0, 1), self.grl_scale)
        y = gather_with_grad(grad_reverse(glob_vec, self.grl_scale))
        scores = self.critic.pairwise(x, y)  # (N*K, W*N)
        mi_level = mine_lower_bound(scores, scores, same & other, other)
        # (b) frozen critic on the local-global pairs, minimised through f only
        y_lg = gather_with_grad(glob_vec)
        scores_lg = self.critic.pairwise(local_vec.flatten(0, 1), y_lg, frozen=True)
        joint_lg = ~other  # the clip's own video
        mi_lg = mine_lower_bound(scores_lg, scores_lg, joint_lg, other)
        return dict(
            loss_mi=-w * mi_level,
            loss_mi_lg=w * mi_lg,
            mi_level=mi_level.detach(),
            mi_lg=mi_lg.detach(),
            same_level_pairs=(same & other).sum().float(),
            levels_in_batch=scores.new_tensor(float(len(torch.unique(all_level)))),
            no_same_level_batches=scores.new_tensor(float(self.no_same_level_batches)))

    # ------------------------------------------------------------------ L_td (Eq. 7)
    def loss_temporal_dependency(self, local_vec: torch.Tensor,
                                 glob_vec: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``-I`` of G_psi between ordered and shuffled clips ``(N, K, C)`` and the video
        ``(N, C)``; VCOP head: cross-entropy of the ``K!`` orders."""
        w = self.loss_weights['td']
        if self.td_head.is_classifier:  # VCOP-style: order classification
            shuffled, _, order = permute_clips(local_vec)
            logits = self.td_head(shuffled)
            return dict(
                loss_td=w * F.cross_entropy(logits, order),
                acc_td=(logits.argmax(1) == order).float().mean().detach())
        shuffled, _ = shuffle_clips(local_vec)
        joint = self.td_head(local_vec, glob_vec)  # ordered f_bar(v) with f'(v)
        marginal = self.td_head(shuffled, glob_vec)  # arbitrarily ordered f~(v)
        mi = mine_lower_bound(joint, marginal)
        return dict(
            loss_td=-w * mi, mi_td=mi.detach(), acc_td=(joint > marginal).float().mean().detach())

    # ------------------------------------------------------------------ L_nce
    def loss_clip_nce(self, local_vec: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Symmetric InfoNCE between the projected clips 0 and 1 ``(N, K, C)``."""
        z = F.normalize(self.nce_neck(local_vec[:, :2].flatten(0, 1)), dim=1)
        z = z.view(local_vec.shape[0], 2, -1)
        loss, _ = self.loss_nce(z[:, 0], z[:, 1])
        return dict(loss_nce=self.loss_weights['nce'] * loss)

    # ------------------------------------------------------------------ total
    def loss(self, inputs: torch.Tensor, data_samples) -> Dict[str, torch.Tensor]:
        """``inputs`` ``(N, K, C, T, H, W)`` -> ``loss_rc``, ``loss_mi``, ``loss_mi_lg``,
        ``loss_td`` (and ``loss_nce``), plus logged diagnostics."""
        local, glob = self.encode(inputs, data_samples)
        n, k = local.shape[:2]
        local_vec = pool_features(local.flatten(0, 1), 'avg').view(n, k, -1)
        glob_vec = pool_features(glob, 'avg')
        losses = {}
        if self.projection is not None:
            losses.update(self.loss_region_contrast(local, glob, data_samples))
        if self.critic is not None:
            losses.update(self.loss_mutual_info(local_vec, glob_vec, data_samples))
        if self.td_head is not None:
            losses.update(self.loss_temporal_dependency(local_vec, glob_vec))
        if self.nce_neck is not None:
            losses.update(self.loss_clip_nce(local_vec))
        return losses
