"""Segment order and sampling rate (TCSVT 2021, DOI 10.1109/TCSVT.2021.3114209).

    L_total = 1 * L_order (Eq. 1-4) + 0.3 * L_rate (Eq. 5-7) + 1 * L_ctr (Eq. 8)   (Eq. 17)

- ``r = f_theta(x_q)``: the pooled backbone feature of the query clip (view 0), whose
  segments are permuted and sampled at different rates (``SegmentOrderRateSampler``).
- L_order: cross-entropy of the order head over the ``n!`` permutations.
- L_rate: MSE of the per-segment rates (or cross-entropy, Table V).
- L_ctr: MoCo InfoNCE. ``q = h(r)``; the key ``k = h_K(f_K(x_k))`` comes from the momentum
  encoder (Eq. 18: ``theta_K = d theta_K + (1 - d) theta_Q``); ``x_k`` is, per sample at
  random, another clip of the same video (view 1) or the frozen view generator's
  synthesis of the query (Sec. III-G). Negatives: the queue (and the other keys of the
  batch). The similarity is shuffle similarity (Algorithm 1) or the dot product.
Each term is its own config entry; an ablation removes it (``order_head=None`` ...).
"""
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..necks.projection import pool_features
from ..utils.distributed import draw_for_global_batch
from ..utils.momentum import batch_shuffle, batch_unshuffle, make_momentum_copy, momentum_update
from ..utils.queue import KeyQueue
from .base import BaseVideoSSL, check_loss_cfg


def load_generator(generator: nn.Module, checkpoint: str, prefix: str = 'generator.') -> None:
    """Load ``prefix*`` weights of a :class:`ViewSynthesis` checkpoint (weights_only)."""
    from mmengine.runner.checkpoint import CheckpointLoader
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    sub = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not sub:
        raise KeyError(f'no "{prefix}*" weights in {checkpoint}: is it a view-synthesis '
                       'checkpoint?')
    generator.load_state_dict(sub, strict=True)


@MODELS.register_module()
class SegOrderRate(BaseVideoSSL):
    """Segment order classification + sampling-rate prediction + MoCo contrast.

    Args:
        backbone: backbone config; its last stage is pooled to ``r``.
        order_head: ``SegmentOrderHead`` config, or None (no L_order).
        rate_head: ``SamplingRateHead`` config, or None (no L_rate).
        neck: projection ``h`` (``MLPProjection`` 512 -> 128), needed for the contrast.
        contrast_loss: ``InfoNCELoss`` config (``gather=False, symmetric=False``, MoCo);
            its ``similarity`` may be a config (``ShuffleSimilarity``). None: no L_ctr.
            Unknown keys of it and of the two heads (with their ``loss_weight``) raise.
        queue_len: queue length K (a multiple of the global batch).
        momentum: d of Eq. 18.
        shuffle_bn: MoCo's batch shuffle for the key encoder across ranks (GPUs; the
            alternative is SyncBN in the backbone's ``norm_cfg``; CPU runs use plain BN).
        view_generator: ``VideoVAE`` config of the frozen generator, or None.
        view_generator_ckpt: checkpoint of the view-synthesis stage to load it from.
        view_prob: probability that a sample's key is the synthesised view.
    """

    def __init__(self,
                 backbone: dict,
                 order_head: Optional[dict] = None,
                 rate_head: Optional[dict] = None,
                 neck: Optional[dict] = None,
                 contrast_loss: Optional[dict] = None,
                 queue_len: int = 4096,
                 momentum: float = 0.999,
                 shuffle_bn: bool = False,
                 view_generator: Optional[dict] = None,
                 view_generator_ckpt: Optional[str] = None,
                 view_prob: float = 0.5,
                 **kwargs) -> None:
        super().__init__(backbone, **kwargs)
        for arg, cfg in (('order_head', order_head), ('rate_head', rate_head), ('contrast_loss',
                                                                                contrast_loss)):
            check_loss_cfg(cfg or None, 'SegOrderRate', arg)
        self.order_head = MODELS.build(order_head) if order_head else None
        self.rate_head = MODELS.build(rate_head) if rate_head else None
        self.with_contrast = contrast_loss is not None
        if self.with_contrast:
            if neck is None:
                raise ValueError('the contrast term needs a projection neck')
            self.neck = MODELS.build(neck)
            contrast_loss = dict(contrast_loss)
            sim = contrast_loss.pop('similarity', None)
            if isinstance(sim, dict):
                sim = MODELS.build(sim)
            self.loss_contrast = MODELS.build(dict(contrast_loss, similarity=sim))
            self.key_backbone = make_momentum_copy(self.backbone)
            self.key_neck = make_momentum_copy(self.neck)
            self.queue = KeyQueue(queue_len, neck['out_channels'])
        self.momentum = momentum
        self.shuffle_bn = shuffle_bn
        self.view_generator = None
        self.view_generator_ckpt = view_generator_ckpt
        self.view_prob = view_prob
        if view_generator is not None:
            if not self.with_contrast:
                raise ValueError('view_generator makes keys: it needs contrast_loss')
            self.view_generator = MODELS.build(view_generator)
            if view_generator_ckpt:
                load_generator(self.view_generator, view_generator_ckpt)
            for p in self.view_generator.parameters():
                p.requires_grad_(False)

    def init_weights(self) -> None:
        """Initialise Q, then start K as an exact copy of Q; reload the generator."""
        super().init_weights()
        if self.with_contrast:
            momentum_update(self.backbone, self.key_backbone, 0.0)
            momentum_update(self.neck, self.key_neck, 0.0)
        if self.view_generator is not None and self.view_generator_ckpt:
            load_generator(self.view_generator, self.view_generator_ckpt)

    def train(self, mode: bool = True):
        super().train(mode)
        if self.view_generator is not None:
            self.view_generator.eval()  # frozen, BN running statistics kept
        return self

    # ------------------------------------------------------------------ targets
    @staticmethod
    def _targets(data_samples, device) -> tuple:
        order = torch.tensor([int(s.metainfo['order_label']) for s in data_samples],
                             dtype=torch.long,
                             device=device)
        rates = torch.from_numpy(
            np.stack([np.asarray(s.metainfo['seg_rates'], dtype=np.float32)
                      for s in data_samples])).to(device)
        return order, rates

    # ------------------------------------------------------------------ key branch
    @torch.no_grad()
    def _keys(self, inputs: torch.Tensor) -> tuple:
        """Momentum update (Eq. 18), choose each key clip, encode with K: ``(N, D)``."""
        momentum_update(self.backbone, self.key_backbone, self.momentum)
        momentum_update(self.neck, self.key_neck, self.momentum)
        x_k = inputs[:, 1]
        synth = torch.zeros(inputs.shape[0], dtype=torch.bool, device=inputs.device)
        if self.view_generator is not None:
            # this rank's rows of one draw for the global batch (same as one process)
            synth = draw_for_global_batch(lambda m: torch.rand(m, device=inputs.device),
                                          inputs.shape[0]) < self.view_prob
            if synth.any():  # the generator runs on the chosen samples only
                rows = synth.nonzero(as_tuple=True)[0]
                x_syn = self.view_generator(inputs[:, 0], sample=True, rows=rows)[0]
                x_k = x_k.clone(memory_format=torch.contiguous_format)
                x_k[rows] = x_syn.to(x_k.dtype)
        if self.shuffle_bn:
            x_k, idx_unshuffle = batch_shuffle(x_k)
        feat = self.key_backbone(x_k)
        feat = feat[-1] if isinstance(feat, (tuple, list)) else feat
        k = F.normalize(self.key_neck(pool_features(feat, 'avg')), dim=1)
        if self.shuffle_bn:
            k = batch_unshuffle(k, idx_unshuffle)
        return k, synth.float().mean()

    # ------------------------------------------------------------------ Eq. 17
    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs`` ``(N, V, C, T, H, W)``: view 0 the query, view 1 a key candidate."""
        losses: Dict[str, torch.Tensor] = {}
        order, rates = self._targets(data_samples, inputs.device)
        # Eq. 1 / 5: r = f_theta(x_q)
        r = pool_features(self.extract_feat(inputs[:, 0])[self.feature_stage], 'avg')
        # Eq. 2-4: segment order classification
        if self.order_head is not None:
            losses.update(self.order_head.loss(r, order))
        # Eq. 6-7: sampling-rate regression (or classification)
        if self.rate_head is not None:
            losses.update(self.rate_head.loss(r, rates))
        # Eq. 8: MoCo contrast with the queue, shuffle similarity inside InfoNCE
        if self.with_contrast:
            if inputs.shape[1] < 2:
                raise ValueError('the contrast term needs 2 views per video (num_views=2)')
            q = F.normalize(self.neck(r), dim=1)
            k, synth_ratio = self._keys(inputs)
            loss, acc = self.loss_contrast(q, k, queue=self.queue())
            self.queue.enqueue(k)
            losses.update(
                loss_contrast=loss, acc_contrast=acc.detach(), key_synth_ratio=synth_ratio)
        if not losses:
            raise ValueError('SegOrderRate has no loss term: set order_head, rate_head '
                             'or contrast_loss')
        return losses
