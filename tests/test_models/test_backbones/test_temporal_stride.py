"""Temporal-stride override: longer maps from the same weights (Ctrl-Aug's f and f')."""
import pytest
import torch

import vssl_mm  # noqa: F401
from vssl_mm.models.backbones import (S3D, C3DTrunk, ResNet2Plus1dSSL, ResNet3dSSL,
                                      temporal_stride_override)


def _ptrs(model):
    return {n: p.data_ptr() for n, p in model.named_parameters()}


def test_r3d18_local_2x4x4_global_8x4x4_same_weights():
    m = ResNet3dSSL(depth=18, base_channels=4).eval()
    ptrs, n_params = _ptrs(m), len(list(m.parameters()))
    x = torch.randn(1, 3, 16, 112, 112)
    with torch.no_grad():
        local = m(x)[-1]
        glob = m(x, temporal_strides={2: 1, 3: 1})[-1]
        with temporal_stride_override(m, {2: 1, 3: 1}):
            glob_cm = m(x)[-1]
        again = m(x)[-1]
    assert local.shape[2:] == (2, 4, 4)
    assert glob.shape[2:] == (8, 4, 4)
    torch.testing.assert_close(glob_cm, glob, rtol=0, atol=0)
    torch.testing.assert_close(again, local, rtol=0, atol=0)  # restored
    assert _ptrs(m) == ptrs and len(list(m.parameters())) == n_params
    assert m.layer3[0].conv1.conv.stride == (2, 2, 2)
    assert m.layer3[0].downsample.conv.stride == (2, 2, 2)


@pytest.mark.parametrize('cls,with_cp', [(ResNet3dSSL, False), (ResNet3dSSL, True),
                                         (ResNet2Plus1dSSL, False)])
def test_gradients_of_both_branches_reach_same_tensors(cls, with_cp):
    torch.manual_seed(0)
    m = cls(depth=10, base_channels=4, with_cp=with_cp, zero_init_residual=False)
    m.init_weights()
    m.train()
    x = torch.randn(1, 3, 16, 32, 32)
    strides = {2: 1, 3: 1}

    def grads(use_local, use_global):
        m.zero_grad()
        loss = 0
        if use_local:
            loss = loss + m(x)[-1].pow(2).mean()
        if use_global:
            out = m(x, temporal_strides=strides)[-1]
            assert out.shape[2] == 8
            loss = loss + out.pow(2).mean()
        loss.backward()
        return {n: p.grad.clone() for n, p in m.named_parameters()}

    g_local, g_global, g_both = grads(True, False), grads(False, True), grads(True, True)
    name = 'layer3.0.conv1.conv.weight' if cls is ResNet3dSSL \
        else 'layer3.0.conv1.conv.conv_t.weight'
    assert g_local[name].abs().sum() > 0 and g_global[name].abs().sum() > 0
    assert not torch.allclose(g_local[name], g_global[name])
    for n in g_both:
        torch.testing.assert_close(g_both[n], g_local[n] + g_global[n], rtol=1e-4, atol=1e-6)


def test_with_cp_same_gradients_as_without():
    torch.manual_seed(0)
    a = ResNet3dSSL(depth=10, base_channels=8, zero_init_residual=False)
    a.init_weights()
    b = ResNet3dSSL(depth=10, base_channels=8, with_cp=True)
    b.load_state_dict(a.state_dict())
    x = torch.randn(2, 3, 16, 32, 32, requires_grad=True)
    for m in (a, b):
        m.train()
        m(x, temporal_strides=[1, 1, 1, 2])[-1].sum().backward()
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-5)


def test_c3d_and_s3d_override():
    c3d = C3DTrunk(base_channels=4, out_indices=(3, 4)).eval()
    s3d = S3D(out_indices=(4, )).eval()
    x = torch.randn(1, 3, 16, 32, 32)
    with torch.no_grad():
        assert c3d(x)[-1].shape[2] == 1
        assert c3d(x, temporal_strides={3: 1, 4: 1})[-1].shape[2] == 4
        assert c3d(x)[-1].shape[2] == 1
        assert s3d(x)[0].shape[2] == 2
        assert s3d(x, temporal_strides={3: 1, 4: 1})[0].shape[2] == 8
    assert c3d.pool4.kernel_size == (2, 2, 2) and c3d.pool4.stride == (2, 2, 2)


def test_invalid_override():
    m = ResNet3dSSL(depth=10, base_channels=4)
    with pytest.raises(ValueError):
        m(torch.randn(1, 3, 8, 32, 32), temporal_strides={4: 1})
    with pytest.raises(ValueError):
        with temporal_stride_override(m, {0: 0}):
            pass


@pytest.mark.parametrize('build,x_shape', [
    (lambda cp: C3DTrunk(base_channels=4, with_cp=cp), (1, 3, 16, 32, 32)),
    (lambda cp: S3D(gating=True, with_cp=cp), (1, 3, 8, 16, 16)),
])
def test_with_cp_and_override_c3d_s3d(build, x_shape):
    torch.manual_seed(0)
    a, b = build(False), build(True)
    a.init_weights()
    b.load_state_dict(a.state_dict())
    x = torch.randn(*x_shape, requires_grad=True)
    outs = []
    for m in (a, b):
        m.train()
        out = m(x, temporal_strides={3: 1, 4: 1})[-1]
        out.pow(2).mean().backward()
        outs.append(out.detach())
    torch.testing.assert_close(outs[0], outs[1])
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert p.grad is not None and q.grad is not None, n
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-6)


def test_override_through_model_attribute():

    class Algo(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = ResNet3dSSL(depth=10, base_channels=4)

    algo = Algo().eval()
    x = torch.randn(1, 3, 16, 32, 32)
    with torch.no_grad(), temporal_stride_override(algo, {3: 1}):
        assert algo.backbone(x)[0].shape[2] == 4
    assert algo.backbone._temporal_stride_override is None
