"""MotionExcitation against a direct computation."""

import torch

from vssl_mm.models.heads.motion_excitation import MotionExcitation


def test_me_module_direct_computation_and_zero_pad():
    torch.manual_seed(0)
    me = MotionExcitation(32, reduction=16).eval()
    x = torch.randn(2, 32, 4, 5, 5)
    y = me(x)
    assert y.shape == x.shape
    d = me.motion(x)
    assert d.shape == (2, 2, 4, 5, 5)
    assert torch.count_nonzero(d[:, :, -1]) == 0  # zero-padded last step
    xr = me.reduce_bn(me.reduce(x))
    for t in range(3):
        torch.testing.assert_close(d[:, :, t], me.dwconv(xr[:, :, t + 1]) - xr[:, :, t])
    m = me.expand_bn(me.expand(d.mean(dim=(3, 4), keepdim=True)))
    torch.testing.assert_close(y, x + x * (torch.sigmoid(m) - 0.5))
    assert not torch.allclose(y, x)
