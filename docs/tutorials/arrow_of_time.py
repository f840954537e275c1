"""Tutorial method (new_method.md): arrow of time + clip contrast, one file.

Two clips ``x_1``, ``x_2`` of a video. Clip ``x_2`` is played backwards for a random half
of the batch (``r_i`` in {0, 1}); a linear head on the pooled features of ``x_2`` predicts
``r_i`` (Eq. 1), and the projections of ``x_1`` and the forward-time ``x_2`` are contrasted
(Eq. 2; negatives gathered from all ranks):

    L_aot = CE(h(f(x_2^{r})), r)                                      (1)
    L_nce = InfoNCE(g(f(x_1)), g(f(x_2^{fwd})))                       (2)
    L     = w_aot L_aot + w_nce L_nce                                 (3)

The reversal is done in the model, so the data pipeline is the baseline's
(``RandomClipsSampler`` with ``num_views=2``) and the draw of ``r`` follows the torch seed.
Not part of the package: the tutorial config imports this module
(``custom_imports=dict(imports=['docs.tutorials.arrow_of_time'])``), which registers
``TutorialArrowOfTime`` in vssl_mm's ``MODELS``.
"""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.models.algorithms.base import BaseVideoSSL, check_loss_cfg, check_loss_weights
from vssl_mm.models.necks import pool_features
from vssl_mm.registry import MODELS


@MODELS.register_module()
class TutorialArrowOfTime(BaseVideoSSL):
    """Arrow-of-time classification plus clip contrast.

    Args:
        backbone: backbone config.
        feat_channels: width of the pooled ``feature_stage`` map.
        neck: projection head (``MLPProjection``) for Eq. (2).
        loss: ``InfoNCELoss`` config for Eq. (2).
        loss_weights: ``dict(aot=w_aot, nce=w_nce)`` of Eq. (3); a zero weight drops the
            term (and its compute). Unknown keys (here and in ``loss``) raise.
    """

    def __init__(self,
                 backbone: dict,
                 feat_channels: int,
                 neck: dict,
                 loss: dict = dict(type='InfoNCELoss', temperature=0.1),
                 loss_weights: dict = dict(aot=1.0, nce=1.0),
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        self.aot_head = nn.Linear(feat_channels, 2)
        self.neck = MODELS.build(neck)
        check_loss_cfg(loss, 'TutorialArrowOfTime', 'loss')
        self.loss_nce = MODELS.build(loss)
        self.loss_weights = {
            **dict(aot=1.0, nce=1.0),
            **check_loss_weights(loss_weights, ('aot', 'nce'), 'TutorialArrowOfTime')
        }

    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs``: ``(N, V>=2, C, T, H, W)``; views 0 and 1 are the two clips."""
        n = inputs.shape[0]
        x1, x2 = inputs[:, 0], inputs[:, 1]  # (N, C, T, H, W)
        r = torch.randint(0, 2, (n, ), device=inputs.device)  # 1 = played backwards
        x2_r = torch.where(r.view(n, 1, 1, 1, 1).bool(), x2.flip(2), x2)
        w = self.loss_weights
        losses = {}
        clips = [x2_r] + ([x1, x2] if w['nce'] > 0 else [])
        feats = self.extract_feat(torch.cat(clips))[self.feature_stage]
        pooled = pool_features(feats, 'avg')  # (len(clips) * N, D)
        logits = self.aot_head(pooled[:n])  # Eq. (1)
        losses['loss_aot'] = w['aot'] * F.cross_entropy(logits, r)
        losses['acc_aot'] = (logits.argmax(1) == r).float().mean().detach()
        if w['nce'] > 0:  # Eq. (2) on the forward-time clips
            z = F.normalize(self.neck(pooled[n:]), dim=1)
            nce, acc = self.loss_nce(z[:n], z[n:])
            losses['loss_nce'] = w['nce'] * nce
            losses['acc_nce'] = acc.detach()
        return losses
