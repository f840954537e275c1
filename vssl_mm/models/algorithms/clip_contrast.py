"""Clip-contrast baseline (SimCLR on video clips).

Two clips of one video are positives; clips of every other video in the global batch
(gathered from all ranks) are negatives:
``L_nce = InfoNCE(g(f(x_1)), g(f(x_2)))`` with ``f`` the backbone + global average pooling
and ``g`` a projection MLP, both directions averaged.
"""
from typing import Dict

import torch
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..necks.projection import pool_features
from .base import BaseVideoSSL, check_loss_cfg


@MODELS.register_module()
class ClipContrast(BaseVideoSSL):
    """Plain clip-level InfoNCE baseline.

    Args:
        backbone: backbone config.
        neck: projection head config (``MLPProjection``), applied to pooled features.
        loss: ``InfoNCELoss`` config (an unknown key raises, naming it).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 loss: dict = dict(type='InfoNCELoss', temperature=0.1),
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        self.neck = MODELS.build(neck)
        check_loss_cfg(loss, 'ClipContrast', 'loss')
        self.loss_nce = MODELS.build(loss)

    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs``: ``(N, V>=2, C, T, H, W)``; views 0 and 1 are the positive pair."""
        if inputs.shape[1] < 2:
            raise ValueError(f'ClipContrast needs >= 2 views per video, got {inputs.shape[1]}')
        n = inputs.shape[0]
        feats = self.extract_views(inputs, views=(0, 1))[self.feature_stage]  # (N,2,C,T,H,W)
        z = self.neck(pool_features(feats.flatten(0, 1), 'avg'))  # (2N, D)
        z = F.normalize(z, dim=1).view(n, 2, -1)
        loss, acc = self.loss_nce(z[:, 0], z[:, 1])
        return dict(
            loss_nce=loss,
            acc_nce=acc.detach(),
            nce_candidates=torch.tensor(
                float(self.loss_nce.last_num_candidates), device=inputs.device))
