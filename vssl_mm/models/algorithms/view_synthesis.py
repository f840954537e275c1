"""View synthesis of seg_order_rate (Sec. III-G, Fig. 3, Eq. 13-16), trained as its own stage.

A VAE ``G`` makes a new view ``x'`` of a clip ``x``; a flow estimator ``O`` gives the
2-channel flow between consecutive frames. The stage minimises

    L_view = L_photo (Eq. 13) + L_KL (Eq. 14) + L_infomax (Eq. 15) + L_infomin (Eq. 16)

- ``L_photo = mean rho(warp(x^f, O(x)) - x^l)``: frames ``1..T-1`` warped by the flow must
  match frames ``2..T``; ``rho(z) = sqrt(z^2 + eps^2)`` (Charbonnier, eps = 1e-3).
- ``L_KL = 1/2 mean(mu^2 + sigma^2 - log sigma^2 - 1)`` of G's latent.
- ``L_infomax = mean rho(sg(O(x)) - O(x'))``: the synthesised view keeps the motion; O's
  parameters are used detached here (the paper restores them after the step), so this
  term only trains G.
- ``L_infomin = mean cos(sg(f(x)), f(x'))``: appearance information is removed (the
  similarity is minimised; x does not back-propagate).

Only ``G`` is kept afterwards: :class:`SegOrderRate` loads it frozen (``view_generator``).
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

from vssl_mm.registry import MODELS
from ..necks.projection import pool_features
from ..utils.cpu_conv import OneDNNConv3d, fuses_with_upsampling, upsample_conv3d
from ..utils.distributed import draw_for_global_batch
from .base import BaseVideoModel, check_loss_weights


# ---------------------------------------------------------------------- primitives
def charbonnier(x: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    """Mean Charbonnier penalty ``rho(z) = sqrt(z^2 + eps^2)``."""
    return torch.sqrt(x * x + eps * eps).mean()


def flow_warp(img: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Backward-warp ``img`` ``(N, C, H, W)`` by ``flow`` ``(N, 2, H, W)`` (pixels, x then y).

    ``out(p) = img(p + flow(p))``, bilinear, border padding; zero flow is the identity.
    """
    n, _, h, w = img.shape
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=img.dtype, device=img.device),
        torch.arange(w, dtype=img.dtype, device=img.device),
        indexing='ij')
    gx = xs[None] + flow[:, 0]
    gy = ys[None] + flow[:, 1]
    gx = 2.0 * gx / max(w - 1, 1) - 1.0
    gy = 2.0 * gy / max(h - 1, 1) - 1.0
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(img, grid, mode='bilinear', padding_mode='border', align_corners=True)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Eq. 14, averaged over latent elements: ``1/2 mean(mu^2 + s^2 - log s^2 - 1)``."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).mean()


# ---------------------------------------------------------------------- networks
@MODELS.register_module()
class VideoVAE(nn.Module):
    """Small 3D-conv VAE: ``(N, C, T, H, W) -> (N, C, T, H, W)`` (H, W divisible by 4).

    The latent is a ``(N, latent_channels, T, H/4, W/4)`` Gaussian map. A plain
    ``nn.Module`` (no ``init_weights``), so a loaded generator is not re-initialised.
    Its convolutions are :class:`OneDNNConv3d`: frozen on CPU, the generator often runs on
    a single row, which ATen would send to its slow im2col path; there each nearest
    upsampling + conv pair of the decoder runs as one sub-pixel convolution at the lower
    resolution (:func:`upsample_conv3d`, same result up to float rounding).
    """

    def __init__(self,
                 in_channels: int = 3,
                 base_channels: int = 32,
                 latent_channels: int = 32) -> None:
        super().__init__()
        c = base_channels
        self.encoder = nn.Sequential(
            OneDNNConv3d(in_channels, c, 3, stride=(1, 2, 2), padding=1), nn.BatchNorm3d(c),
            nn.ReLU(inplace=True), OneDNNConv3d(c, 2 * c, 3, stride=(1, 2, 2), padding=1),
            nn.BatchNorm3d(2 * c), nn.ReLU(inplace=True))
        self.to_mu = OneDNNConv3d(2 * c, latent_channels, 1)
        self.to_logvar = OneDNNConv3d(2 * c, latent_channels, 1)
        self.decoder = nn.Sequential(
            OneDNNConv3d(latent_channels, 2 * c, 3, padding=1), nn.BatchNorm3d(2 * c),
            nn.ReLU(inplace=True), nn.Upsample(scale_factor=(1, 2, 2), mode='nearest'),
            OneDNNConv3d(2 * c, c, 3, padding=1), nn.BatchNorm3d(c), nn.ReLU(inplace=True),
            nn.Upsample(scale_factor=(1, 2, 2), mode='nearest'),
            OneDNNConv3d(c, in_channels, 3, padding=1))

    def encode(self, x: torch.Tensor):
        h = self.encoder(x)
        return self.to_mu(h), self.to_logvar(h).clamp(-10, 10)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """``self.decoder(z)``; upsample + conv pairs fused where no gradient is needed."""
        layers = list(self.decoder)
        i = 0
        while i < len(layers):
            layer = layers[i]
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if (isinstance(layer, nn.Upsample) and layer.mode == 'nearest'
                    and layer.scale_factor is not None
                    and tuple(float(f) for f in layer.scale_factor) == (1.0, 2.0, 2.0)
                    and isinstance(nxt, OneDNNConv3d) and fuses_with_upsampling(nxt)
                    and nxt._use_onednn(z)):
                z = upsample_conv3d(z, nxt)
                i += 2
                continue
            z = layer(z)
            i += 1
        return z

    def forward(self, x: torch.Tensor, sample: bool = True, rows: Optional[torch.Tensor] = None):
        """Return ``(x', mu, logvar)``; ``sample=False`` decodes the mean.

        ``rows`` (eval mode only): synthesise only these rows of ``x``; the outputs have
        ``len(rows)`` rows, equal to those rows of the call without ``rows`` (the noise is
        drawn for the whole batch and sliced, so the random stream is the same; BN uses
        its running statistics, so a row does not depend on the others). A frozen
        generator that replaces a random subset of a batch (seg_order_rate's keys) need
        not run on the rest. Distributed, the noise is this rank's rows of one draw for
        the global batch (:func:`draw_for_global_batch`), as one process would draw it.
        """
        if rows is not None and self.training:
            raise ValueError('rows needs eval mode (batch statistics mix the rows)')
        mu, logvar = self.encode(x if rows is None else x[rows])
        z = mu
        if sample:
            # noise of the whole batch (randn_like of the full mu), then the chosen rows
            noise = draw_for_global_batch(
                lambda m: torch.randn(
                    (m, ) + tuple(mu.shape[1:]), dtype=mu.dtype, device=mu.device), x.shape[0])
            z = mu + (noise if rows is None else noise[rows]) * (0.5 * logvar).exp()
        return self.decode(z), mu, logvar


@MODELS.register_module()
class FrameFlowEstimator(nn.Module):
    """2D CNN on consecutive frame pairs: ``(N, C, T, H, W) -> (N, 2, T-1, H, W)``.

    No normalisation layers (so a functional call with detached parameters is exact).
    """

    def __init__(self,
                 in_channels: int = 3,
                 base_channels: int = 32,
                 max_flow: float = 8.0) -> None:
        super().__init__()
        c = base_channels
        self.net = nn.Sequential(
            nn.Conv2d(2 * in_channels, c, 5, padding=2), nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(c, c, 3, padding=2, dilation=2), nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(c, c, 3, padding=4, dilation=4), nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(c, 2, 3, padding=1))
        self.max_flow = max_flow

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, t, h, w = x.shape
        pairs = torch.cat([x[:, :, :-1], x[:, :, 1:]], dim=1)  # (N, 2C, T-1, H, W)
        pairs = pairs.transpose(1, 2).reshape(n * (t - 1), 2 * c, h, w)
        flow = self.max_flow * torch.tanh(self.net(pairs))
        return flow.view(n, t - 1, 2, h, w).transpose(1, 2)


def warp_clip(x: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Warp frames ``1..T-1`` of ``(N, C, T, H, W)`` by ``(N, 2, T-1, H, W)`` flow."""
    n, c, t, h, w = x.shape
    first = x[:, :, :-1].transpose(1, 2).reshape(-1, c, h, w)
    fl = flow.transpose(1, 2).reshape(-1, 2, h, w)
    return flow_warp(first, fl).view(n, t - 1, c, h, w).transpose(1, 2)


# ---------------------------------------------------------------------- algorithm
@MODELS.register_module()
class ViewSynthesis(BaseVideoModel):
    """The view-synthesis pretraining stage (Eq. 16); uses view 0 of ``(N, V, C, T, H, W)``.

    Args:
        generator: ``VideoVAE`` config (kept afterwards).
        flow_estimator: ``FrameFlowEstimator`` config.
        feature_extractor: backbone config for ``f`` of Eq. 16.
        train_feature_extractor: if False (default, our choice) ``f`` stays at its
            initial weights: a trainable ``f`` could satisfy info-min by itself.
        loss_weights: weights of ``photo``, ``kl``, ``infomax``, ``infomin`` (all 1);
            an unknown key raises, naming it.
        eps: Charbonnier epsilon.
    """

    def __init__(self,
                 generator: dict,
                 flow_estimator: dict,
                 feature_extractor: dict,
                 train_feature_extractor: bool = False,
                 loss_weights: Optional[Dict[str, float]] = None,
                 eps: float = 1e-3,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.generator = MODELS.build(generator)
        self.flow_estimator = MODELS.build(flow_estimator)
        self.feature_extractor = MODELS.build(feature_extractor)
        self.train_feature_extractor = train_feature_extractor
        if not train_feature_extractor:
            for p in self.feature_extractor.parameters():
                p.requires_grad_(False)
        self.loss_weights = dict(photo=1.0, kl=1.0, infomax=1.0, infomin=1.0)
        self.loss_weights.update(
            check_loss_weights(loss_weights, self.loss_weights, 'ViewSynthesis'))
        self.eps = eps

    def train(self, mode: bool = True):
        super().train(mode)
        if not self.train_feature_extractor:
            self.feature_extractor.eval()
        return self

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        out = self.feature_extractor(x)
        out = out[-1] if isinstance(out, (tuple, list)) else out
        return pool_features(out, 'avg')

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """``'tensor'`` mode: the synthesised view (latent mean) of view 0 or a clip."""
        x = inputs[:, 0] if inputs.dim() == 6 else inputs
        return self.generator(x, sample=False)[0]

    def loss(self, inputs: torch.Tensor, data_samples=None) -> Dict[str, torch.Tensor]:
        """``inputs`` ``(N, V, C, T, H, W)``; Eq. 13-16 on view 0."""
        x = inputs[:, 0]
        w = self.loss_weights
        # Eq. 13: photometric consistency trains the flow estimator O
        flow = self.flow_estimator(x)
        loss_photo = charbonnier(warp_clip(x, flow) - x[:, :, 1:], self.eps)
        # Eq. 14: the VAE G and its KL term
        x_syn, mu, logvar = self.generator(x, sample=True)
        loss_kl = kl_divergence(mu, logvar)
        # Eq. 15: info-max; O(x) detached, O(x') through detached O parameters (G only)
        frozen = {k: v.detach() for k, v in self.flow_estimator.named_parameters()}
        flow_syn = functional_call(self.flow_estimator, frozen, (x_syn, ))
        loss_infomax = charbonnier(flow.detach() - flow_syn, self.eps)
        # Eq. 16: info-min; cosine between sg(f(x)) and f(x'), minimised
        with torch.no_grad():
            f_x = self.embed(x)
        loss_infomin = F.cosine_similarity(f_x, self.embed(x_syn), dim=1).mean()
        return dict(
            loss_photo=w['photo'] * loss_photo,
            loss_kl=w['kl'] * loss_kl,
            loss_infomax=w['infomax'] * loss_infomax,
            loss_infomin=w['infomin'] * loss_infomin,
            flow_abs=flow.detach().abs().mean())

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor, data_samples=None):
        """Attach the mean synthesised-view error ``synth_l1`` to each sample."""
        x = inputs[:, 0]
        x_syn = self.generator(x, sample=False)[0]
        err = (x_syn - x).abs().flatten(1).mean(1)
        data_samples = self._data_samples(data_samples, x.shape[0])
        for s, e in zip(data_samples, err):
            s.set_field(e, 'synth_l1', field_type='metainfo')
        return data_samples
