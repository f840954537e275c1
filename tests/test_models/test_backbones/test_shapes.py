"""Stage output shapes of every backbone for several ``out_indices`` (tiny inputs)."""
import pytest
import torch

import vssl_mm  # noqa: F401
from vssl_mm.models.backbones import S3D, S3DG, C3DTrunk, ResNet2Plus1dSSL, ResNet3dSSL

X_16_32 = (1, 3, 16, 32, 32)


def _shapes(outs):
    assert isinstance(outs, tuple)
    return [tuple(o.shape[1:]) for o in outs]


@pytest.mark.parametrize('out_indices', [(3, ), (0, 1, 2, 3), (1, 3), (2, )])
@pytest.mark.parametrize('cls', [ResNet3dSSL, ResNet2Plus1dSSL])
@pytest.mark.parametrize('depth', [10, 18])
def test_resnet_shapes(cls, depth, out_indices):
    # base_channels 8: channels 8, 16, 32, 64; the defaults give T 16, 8, 4, 2
    m = cls(depth=depth, base_channels=8, out_indices=out_indices).eval()
    with torch.no_grad():
        outs = m(torch.randn(*X_16_32))
    full = [(8, 16, 8, 8), (16, 8, 4, 4), (32, 4, 2, 2), (64, 2, 1, 1)]
    assert _shapes(outs) == [full[i] for i in out_indices]


def test_resnet_return_tensor_option():
    m = ResNet3dSSL(depth=10, base_channels=8, return_tuple=False).eval()
    with torch.no_grad():
        out = m(torch.randn(*X_16_32))
    assert isinstance(out, torch.Tensor) and out.shape == (1, 64, 2, 1, 1)


@pytest.mark.parametrize('out_indices', [(4, ), (0, 1, 2, 3, 4), (2, 3, 4), (1, )])
@pytest.mark.parametrize('pool_outputs', [True, False])
def test_c3d_shapes(out_indices, pool_outputs):
    m = C3DTrunk(base_channels=4, out_indices=out_indices, pool_outputs=pool_outputs).eval()
    with torch.no_grad():
        outs = m(torch.randn(*X_16_32))
    if pool_outputs:
        full = [(4, 16, 16, 16), (8, 8, 8, 8), (16, 4, 4, 4), (32, 2, 2, 2), (32, 1, 2, 2)]
    else:
        full = [(4, 16, 32, 32), (8, 16, 16, 16), (16, 8, 8, 8), (32, 4, 4, 4), (32, 2, 2, 2)]
    assert _shapes(outs) == [full[i] for i in out_indices]


@pytest.mark.parametrize('cls', [S3D, S3DG])
@pytest.mark.parametrize('out_indices', [(4, ), (0, 1, 2, 3, 4), (2, 3, 4)])
def test_s3d_shapes(cls, out_indices):
    m = cls(out_indices=out_indices).eval()
    with torch.no_grad():
        outs = m(torch.randn(1, 3, 8, 16, 16))
    full = [(64, 4, 8, 8), (192, 4, 4, 4), (480, 4, 2, 2), (832, 2, 1, 1), (1024, 1, 1, 1)]
    assert _shapes(outs) == [full[i] for i in out_indices]


def test_s3dg_has_gating_s3d_not():
    assert any('gate' in k for k in S3DG().state_dict())
    assert not any('gate' in k for k in S3D().state_dict())


def test_r3d18_paper_shapes_at_112():
    """Defaults: 16x112x112 -> last map 2x4x4 (ctrl_aug / mlrep); narrow for speed."""
    m = ResNet3dSSL(depth=18, base_channels=4, out_indices=(0, 1, 2, 3)).eval()
    with torch.no_grad():
        outs = m(torch.randn(1, 3, 16, 112, 112))
    assert [o.shape[2:] for o in outs] == [(16, 28, 28), (8, 14, 14), (4, 7, 7), (2, 4, 4)]
