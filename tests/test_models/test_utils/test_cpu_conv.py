"""OneDNNConv3d: nn.Conv3d's result and state dict, oneDNN instead of ATen's im2col path."""
import pytest
import torch
import torch.nn as nn

from vssl_mm.models.utils import OneDNNConv3d


def _pair(cin, cout, **kw):
    torch.manual_seed(0)
    ref = nn.Conv3d(cin, cout, 3, **kw)
    fast = OneDNNConv3d(cin, cout, 3, **kw)
    fast.load_state_dict(ref.state_dict())
    return ref, fast


def _ops(fn):
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        fn()
    return {e.key for e in prof.key_averages()}


@pytest.mark.parametrize('shape,kw', [
    ((1, 3, 8, 40, 40), dict(stride=(1, 2, 2), padding=1)),
    ((1, 8, 6, 14, 14), dict(padding=1)),
    ((2, 8, 5, 9, 11), dict(padding=(1, 0, 1), bias=False)),
    ((1, 4, 6, 10, 10), dict(padding=2, dilation=2, groups=2, stride=(2, 1, 1))),
    ((1, 4, 6, 10, 10), dict(padding='same')),
    ((1, 4, 6, 10, 10), dict(padding=1, padding_mode='reflect')),
])
def test_equals_conv3d_without_grad(shape, kw):
    ref, fast = _pair(shape[1], 8, **kw)
    x = torch.randn(shape)
    with torch.no_grad():
        torch.testing.assert_close(fast(x), ref(x), rtol=1e-5, atol=1e-5)


def test_batch_one_small_input_takes_onednn_not_the_im2col_fallback():
    ref, fast = _pair(8, 16, padding=1)
    x = torch.randn(1, 8, 6, 14, 14)  # N*C*D*H = 672 < 20480: ATen picks slow_conv3d
    with torch.no_grad():
        assert 'aten::slow_conv3d' in _ops(lambda: ref(x))
        ops = _ops(lambda: fast(x))
    assert 'aten::mkldnn_convolution' in ops and 'aten::slow_conv3d' not in ops


def test_training_path_is_conv3d_with_gradients():
    ref, fast = _pair(4, 6, padding=1)
    x = torch.randn(1, 4, 5, 9, 9, requires_grad=True)
    ops = _ops(lambda: fast(x))
    assert 'aten::slow_conv3d' in ops  # nn.Conv3d's own choice for this small input
    fast(x).square().sum().backward()
    g_fast = (x.grad.clone(), fast.weight.grad.clone())
    x.grad = None
    ref(x).square().sum().backward()
    torch.testing.assert_close(g_fast[0], x.grad)
    torch.testing.assert_close(g_fast[1], ref.weight.grad)


def test_frozen_generator_rows_use_onednn():
    """seg_order_rate's frozen VideoVAE on one chosen row: no im2col fallback anywhere."""
    from vssl_mm.models.algorithms.view_synthesis import VideoVAE
    vae = VideoVAE(base_channels=8, latent_channels=8).eval().requires_grad_(False)
    x = torch.randn(3, 3, 4, 32, 32)
    with torch.no_grad():
        ops = _ops(lambda: vae(x, rows=torch.tensor([1])))
    assert 'aten::slow_conv3d' not in ops and 'aten::mkldnn_convolution' in ops


@pytest.mark.parametrize('cls', [nn.Conv3d, OneDNNConv3d])
@pytest.mark.parametrize('kt,pt,st,bias', [(3, 1, 1, True), (1, 0, 1, False), (3, 0, 2, True)])
def test_upsample_conv3d_equals_upsample_then_conv(cls, kt, pt, st, bias):
    from vssl_mm.models.utils.cpu_conv import upsample_conv3d
    torch.manual_seed(1)
    conv = cls(5, 4, (kt, 3, 3), padding=(pt, 1, 1), stride=(st, 1, 1), bias=bias)
    x = torch.randn(2, 5, 6, 7, 9)
    with torch.no_grad():
        ref = conv(nn.functional.interpolate(x, scale_factor=(1, 2, 2), mode='nearest'))
        out = upsample_conv3d(x, conv)
    assert out.shape == ref.shape == (2, 4, (6 + 2 * pt - kt) // st + 1, 14, 18)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)


def test_upsample_conv3d_rejects_other_kernels():
    from vssl_mm.models.utils.cpu_conv import upsample_conv3d
    with pytest.raises(ValueError, match='spatial stride 1'):
        upsample_conv3d(torch.randn(1, 2, 3, 4, 4), nn.Conv3d(2, 2, 3, padding=0))


def test_frozen_generator_decode_equals_plain_decoder():
    """The fused decode path (no grad, CPU) equals running ``decoder`` module by module."""
    from vssl_mm.models.algorithms.view_synthesis import VideoVAE
    torch.manual_seed(0)
    vae = VideoVAE(base_channels=8, latent_channels=8).eval().requires_grad_(False)
    z = torch.randn(2, 8, 4, 8, 8)
    with torch.no_grad():
        ops = _ops(lambda: vae.decode(z))
        torch.testing.assert_close(vae.decode(z), vae.decoder(z), rtol=1e-5, atol=1e-5)
    assert 'aten::upsample_nearest3d' not in ops
    # with gradients (the view-synthesis stage trains it) the plain modules run
    vae.requires_grad_(True)
    ops = _ops(lambda: vae.decode(z))
    assert 'aten::upsample_nearest3d' in ops
