import math

import pytest
import torch
import torch.nn as nn

from tests.conftest import REPO
from vssl_mm.models.algorithms.view_synthesis import (ViewSynthesis, charbonnier, flow_warp,
                                                      kl_divergence, warp_clip)
from vssl_mm.registry import MODELS


def test_zero_flow_warp_is_identity_and_shift():
    img = torch.rand(2, 3, 7, 9)
    torch.testing.assert_close(flow_warp(img, torch.zeros(2, 2, 7, 9)), img, rtol=0, atol=1e-6)
    flow = torch.zeros(2, 2, 7, 9)
    flow[:, 0] = 1.0  # sample one pixel to the right
    out = flow_warp(img, flow)
    torch.testing.assert_close(out[..., :-1], img[..., 1:], rtol=0, atol=1e-6)


def test_primitive_hand_values():
    eps = 1e-3
    assert math.isclose(
        charbonnier(torch.full((4, ), 0.5), eps).item(), math.sqrt(0.25 + eps**2), rel_tol=1e-6)
    assert math.isclose(charbonnier(torch.zeros(3), eps).item(), eps, rel_tol=1e-6)
    # mu = 1, sigma^2 = 1: 1/2 (1 + 1 - 0 - 1) = 0.5; mu = 0, log s^2 = 1: (e - 2) / 2
    assert math.isclose(kl_divergence(torch.ones(5), torch.zeros(5)).item(), 0.5)
    assert math.isclose(
        kl_divergence(torch.zeros(5), torch.ones(5)).item(), (math.e - 2) / 2, rel_tol=1e-6)


class _Flow(nn.Module):
    """flow = scale * channel-mean of the frame difference (both components)."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, x):
        d = (x[:, :, 1:] - x[:, :, :-1]).mean(1, keepdim=True)
        return self.scale * d.expand(-1, 2, -1, -1, -1)


class _Gen(nn.Module):
    """x' = a * x with a = 2; mu = 1, logvar = 0."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(2.0))

    def forward(self, x, sample=True):
        return self.a * x, torch.ones(x.shape[0], 4), torch.zeros(x.shape[0], 4)


class _Feat(nn.Module):

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.w * x  # pooled to the channel means


for cls in (_Flow, _Gen, _Feat):
    MODELS.register_module(name='_sor_test' + cls.__name__, module=cls, force=True)


def test_view_synthesis_losses_hand_values():
    model = ViewSynthesis(
        dict(type='_sor_test_Gen'), dict(type='_sor_test_Flow'), dict(type='_sor_test_Feat'))
    # frames constant in space, +0.5 per frame, positive channel means
    t = torch.arange(4, dtype=torch.float32) * 0.5 + 1.0
    x = t.view(1, 1, 4, 1, 1).expand(2, 3, 4, 5, 5).clone()
    losses = model.loss(x[:, None], None)
    rho = math.sqrt(0.25 + 1e-6)
    # photo: flow 0.5 on constant frames warps nothing -> rho(x_t - x_{t+1}) = rho(-0.5)
    assert math.isclose(losses['loss_photo'].item(), rho, rel_tol=1e-5)
    assert math.isclose(losses['loss_kl'].item(), 0.5, rel_tol=1e-6)
    # infomax: flow(x) = 0.5, flow(2x) = 1.0 -> rho(-0.5)
    assert math.isclose(losses['loss_infomax'].item(), rho, rel_tol=1e-5)
    # infomin: cos(f(x), f(2x)) = 1
    assert math.isclose(losses['loss_infomin'].item(), 1.0, rel_tol=1e-5)
    # info-max trains G only: O's parameters get no gradient from it
    losses['loss_infomax'].backward()
    assert model.flow_estimator.scale.grad is None or \
        model.flow_estimator.scale.grad.abs().item() == 0
    assert model.generator.a.grad.abs().item() > 0
    # photo trains O
    model.zero_grad()
    model.loss(x[:, None], None)['loss_photo'].backward()
    assert model.generator.a.grad is None or model.generator.a.grad.item() == 0
    # info-min: stop-gradient on x, frozen f by default
    assert not model.feature_extractor.w.requires_grad


def test_real_modules_shapes():
    vae = MODELS.build(dict(type='VideoVAE', base_channels=4, latent_channels=4))
    flow = MODELS.build(dict(type='FrameFlowEstimator', base_channels=4))
    x = torch.randn(2, 3, 4, 16, 16)
    y, mu, logvar = vae(x)
    assert y.shape == x.shape and mu.shape == (2, 4, 4, 4, 4)
    f = flow(x)
    assert f.shape == (2, 2, 3, 16, 16)
    assert warp_clip(x, torch.zeros_like(f)).shape == (2, 3, 3, 16, 16)
    torch.testing.assert_close(warp_clip(x, torch.zeros_like(f)), x[:, :, :-1], rtol=0, atol=1e-5)


def test_generator_on_chosen_rows_equals_full_batch_rows():
    """VideoVAE(rows=...): the chosen rows of the full-batch call, same random stream."""
    from vssl_mm.models.algorithms.view_synthesis import VideoVAE
    torch.manual_seed(0)
    vae = VideoVAE(3, 8, 4)
    for m in vae.modules():  # non-trivial running statistics
        if isinstance(m, nn.BatchNorm3d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    vae.eval()
    x = torch.randn(4, 3, 3, 16, 12)
    rows = torch.tensor([0, 2, 3])
    for sample in (True, False):
        torch.manual_seed(5)
        full, mu_full, logvar_full = vae(x, sample=sample)
        after_full = torch.rand(1)
        torch.manual_seed(5)
        sub, mu, logvar = vae(x, sample=sample, rows=rows)
        assert torch.equal(torch.rand(1), after_full)  # same draws consumed
        assert sub.shape == (3, 3, 3, 16, 12)
        torch.testing.assert_close(sub, full[rows], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(mu, mu_full[rows], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(logvar, logvar_full[rows], rtol=1e-5, atol=1e-5)
    vae.train()
    with pytest.raises(ValueError):
        vae(x, rows=rows)


def test_seg_order_rate_keys_match_full_batch_generator():
    """The keys with the generator on the chosen samples only == the former full-batch
    generator + torch.where (same seed)."""
    import os.path as osp

    from mmengine.config import Config

    from vssl_mm.models.algorithms.view_synthesis import VideoVAE
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seg_order_rate', 'r21d_synthetic_view.py'))
    cfg.model.view_generator_ckpt = None
    model = MODELS.build(cfg.model)
    model.train()
    model.shuffle_bn = False  # compare the key clips before any batch shuffle
    inputs = torch.randn(4, 2, 3, 8, 32, 32)

    def old_keys(self, inputs):  # the previous _keys body (momentum update aside)
        x_k = inputs[:, 1]
        synth = torch.rand(inputs.shape[0]) < self.view_prob
        if synth.any():
            x_syn = self.view_generator(inputs[:, 0], sample=True)[0]
            x_k = torch.where(synth.view(-1, 1, 1, 1, 1), x_syn, x_k)
        return x_k, synth

    captured = []
    handle = model.key_backbone.register_forward_pre_hook(
        lambda m, a: captured.append(a[0].detach().clone()))
    for seed in range(6):
        torch.manual_seed(seed)
        with torch.no_grad():
            model._keys(inputs)
        torch.manual_seed(seed)
        with torch.no_grad():
            ref, synth = old_keys(model, inputs)
        torch.testing.assert_close(captured[-1], ref, rtol=1e-5, atol=1e-5)
    handle.remove()
    assert isinstance(model.view_generator, VideoVAE)
