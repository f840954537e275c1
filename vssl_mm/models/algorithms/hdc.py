"""HDC: Hierarchically Decoupled Spatial-Temporal Contrast (Zhang & Crandall, WACV 2022).

Three clip variants per video (see ``vssl_mm/datasets/transforms/hdc.py``): ``u_o`` and
``u_s`` share timestamps (spatial augmentation only), ``u_t`` is another window of the
same video. For every scale ``k`` (backbone blocks 3, 4, 5):

- Spatial Contrast (Eq. 4): spatial average pooling only, one vector per temporal
  position ``n``; InfoNCE between ``g_o^k(v_o^{k,n})`` and ``g_s^k(v_s^{k,n})`` at the same
  ``n`` (the other videos at position ``n`` are the negatives), averaged over ``n``;
- Temporal Contrast (Eq. 5): global average pooling; InfoNCE between ``g_o^k(v_o^k)`` and
  ``g_t^k(v_t^k)``;

with cosine similarity, ``tau = 0.07`` and the other videos of the global batch (all
ranks) as negatives. HD-NCE (Eq. 6): ``L = sum_k alpha_k L_s^k + beta_k L_t^k``; each term is
returned (already weighted) as ``loss_sc_<k>`` / ``loss_tc_<k>`` so mmengine logs and sums
them. A zero weight removes the term and its projections (Table 1 rows).
"""
from typing import Dict, Sequence

import torch
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..necks.projection import pool_features
from .base import BaseVideoSSL, check_loss_cfg

#: positions of the views in ``inputs`` (HDCViewSampler order)
VIEW_O, VIEW_S, VIEW_T = 0, 1, 2


@MODELS.register_module()
class HDC(BaseVideoSSL):
    """Hierarchically Decoupled Spatial-Temporal Contrast.

    Args:
        backbone: an instance-norm backbone whose ``out_indices`` give blocks ``scales``
            (R3D-18 / R(2+1)D-10: ``(1, 2, 3)``; C3D: ``(2, 3, 4)``).
        head: ``HDCProjections`` config (``in_channels`` per scale, ``out_channels``);
            ``scales`` and ``branches`` are filled in from the weights.
        scales: block numbers of the backbone outputs, in order (log names).
        sc_weights: alpha_k of Eq. 6, one per scale (0: no Spatial Contrast there).
        tc_weights: beta_k of Eq. 6, one per scale (0: no Temporal Contrast there).
        loss: ``InfoNCELoss`` config of both contrasts: ``temperature`` (tau), ``gather``
            (negatives from all ranks) and ``symmetric``. Eq. 4/5 are one-way (``u_o``
            queries), so ``symmetric=False`` is the paper's form. Other keys raise (the
            terms are weighted by ``sc_weights`` / ``tc_weights``, the score is the cosine).
    """

    NCE_KEYS = ('temperature', 'gather', 'symmetric')  # the keys ``loss`` may set

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 scales: Sequence[int] = (3, 4, 5),
                 sc_weights: Sequence[float] = (0.25, 0.5, 1.0),
                 tc_weights: Sequence[float] = (0.25, 0.5, 1.0),
                 loss: dict = dict(
                     type='InfoNCELoss', temperature=0.07, gather=True, symmetric=False),
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        if not len(scales) == len(sc_weights) == len(tc_weights):
            raise ValueError(f'scales {scales}, sc_weights {sc_weights} and tc_weights '
                             f'{tc_weights} need one entry per scale')
        if any(w < 0 for w in tuple(sc_weights) + tuple(tc_weights)):
            raise ValueError('HD-NCE weights must be >= 0')
        if not any(tuple(sc_weights) + tuple(tc_weights)):
            raise ValueError('all HD-NCE weights are 0: nothing to train')
        self.scales = tuple(int(k) for k in scales)
        self.sc_weights = tuple(float(w) for w in sc_weights)
        self.tc_weights = tuple(float(w) for w in tc_weights)
        # g_o^k serves both contrasts, g_s^k only SC, g_t^k only TC
        branches = [('o', ) * (a > 0 or b > 0) + ('s', ) * (a > 0) + ('t', ) * (b > 0)
                    for a, b in zip(self.sc_weights, self.tc_weights)]
        head = dict(head, scales=self.scales, branches=branches)
        self.head = MODELS.build(head)
        check_loss_cfg(
            loss,
            'HDC',
            'loss',
            used=self.NCE_KEYS,
            hint='HDC weights its terms with sc_weights / tc_weights and '
            'scores with the cosine of L2-normalised projections')
        self.nce = MODELS.build(loss)

    def contrast(self, query: torch.Tensor, key: torch.Tensor) -> tuple:
        """InfoNCE of L2-normalised ``(N, P, D)`` queries against the keys at the same
        position: ``P = 1`` is Eq. 5, ``P = N_k`` temporal positions is Eq. 4 (mean over
        positions and videos). Returns ``(loss, acc)``."""
        return self.nce(query, key)

    def embed(self, feat: torch.Tensor, branch: str, scale: int, pool: str) -> torch.Tensor:
        """``(N, C, T, H, W)`` -> normalised ``(N, P, D)``: ``pool='spatial'`` gives one
        vector per temporal position (``P = T``, S-Avg pooling), ``'avg'`` one per clip
        (``P = 1``, G-Avg pooling), then ``g_branch^scale`` and L2 normalisation."""
        v = pool_features(feat, pool)  # (N, C, T) or (N, C)
        v = v.transpose(1, 2) if pool == 'spatial' else v[:, None]
        return F.normalize(self.head(v, branch, scale), dim=-1)

    # ---------------------------------------------------------------- objective
    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs``: ``(N, 3, C, T, H, W)`` views ``(u_o, u_s, u_t)``; returns HD-NCE
        terms ``loss_sc_<k>`` (alpha_k L_s^k) and ``loss_tc_<k>`` (beta_k L_t^k), their
        top-1 accuracies and ``num_negatives`` (other videos of the global batch)."""
        if inputs.dim() != 6 or inputs.shape[1] != 3:
            raise ValueError('HDC expects (N, 3, C, T, H, W) inputs (u_o, u_s, u_t), got '
                             f'{tuple(inputs.shape)}')
        use_sc, use_tc = any(self.sc_weights), any(self.tc_weights)
        views = [VIEW_O] + [VIEW_S] * use_sc + [VIEW_T] * use_tc
        feats = self.extract_views(inputs, views=views)  # per stage (N, V', C, T, H, W)
        if len(feats) != len(self.scales):
            raise ValueError(f'backbone returned {len(feats)} stages for scales '
                             f'{self.scales}: set out_indices to the blocks {self.scales}')
        losses = dict()
        for feat, k, alpha, beta in zip(feats, self.scales, self.sc_weights, self.tc_weights):
            u_o = feat[:, 0]
            if alpha > 0:  # Spatial Contrast, Eq. 4
                loss, acc = self.nce(
                    self.embed(u_o, 'o', k, 'spatial'), self.embed(feat[:, 1], 's', k, 'spatial'))
                losses[f'loss_sc_{k}'] = alpha * loss
                losses[f'acc_sc_{k}'] = acc.detach()
            if beta > 0:  # Temporal Contrast, Eq. 5
                loss, acc = self.nce(
                    self.embed(u_o, 'o', k, 'avg'), self.embed(feat[:, -1], 't', k, 'avg'))
                losses[f'loss_tc_{k}'] = beta * loss
                losses[f'acc_tc_{k}'] = acc.detach()
        losses['num_negatives'] = torch.tensor(
            float(self.nce.last_num_candidates - 1), device=inputs.device)
        return losses
