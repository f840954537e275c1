"""vssl_mm state dicts load into mmaction2's backbones (strict) and compute the same."""
import vssl_mm  # noqa: F401  isort:skip  (fixes the stack before mmaction.models)
import torch
from mmaction.models import C3D, ResNet2Plus1d, ResNet3d
from mmengine.registry import DefaultScope

from tests.conftest import randomize_state
from vssl_mm.models.backbones import C3DTrunk, ResNet2Plus1dSSL, ResNet3dSSL

R3D_KW = dict(
    depth=18,
    base_channels=8,
    pretrained2d=False,
    conv1_kernel=(7, 7, 7),
    temporal_strides=(1, 2, 2, 2),
    with_pool2=False,
    out_indices=(0, 1, 2, 3))


def test_resnet3d_strict_and_same_output():
    ours = ResNet3dSSL(**R3D_KW)
    randomize_state(ours)
    ref = ResNet3d(**R3D_KW)
    ref.load_state_dict(ours.state_dict(), strict=True)
    assert set(ref.state_dict()) == set(ours.state_dict())
    ours.eval(), ref.eval()
    x = torch.randn(2, 3, 16, 32, 32)
    with torch.no_grad():
        a, b = ours(x), ref(x)
    assert len(a) == len(b) == 4
    for u, v in zip(a, b):
        assert u.shape == v.shape
        torch.testing.assert_close(u, v, rtol=0, atol=0)
    assert a[-1].abs().sum() > 0


def test_resnet3d_depth10_matches_stage_blocks():
    ours = ResNet3dSSL(depth=10, base_channels=8)
    ref = ResNet3d(**dict(R3D_KW, out_indices=(3, )), stage_blocks=(1, 1, 1, 1))
    randomize_state(ours, 1)
    ref.load_state_dict(ours.state_dict(), strict=True)
    x = torch.randn(1, 3, 16, 32, 32)
    with torch.no_grad():
        ours.eval(), ref.eval()  # mmaction2 .eval() returns None
        torch.testing.assert_close(ours(x)[0], ref(x), rtol=0, atol=0)


def test_resnet2plus1d_strict_and_same_output():
    kw = dict(
        depth=18,
        base_channels=4,
        pretrained2d=False,
        conv_cfg=dict(type='Conv2plus1d'),
        conv1_kernel=(3, 7, 7),
        temporal_strides=(1, 2, 2, 2),
        zero_init_residual=False)
    ours = ResNet2Plus1dSSL(out_indices=(0, 1, 2, 3), **kw)
    randomize_state(ours, 2)
    with DefaultScope.overwrite_default_scope('mmaction'):
        ref = ResNet2Plus1d(out_indices=(3, ), **kw)
    ref.load_state_dict(ours.state_dict(), strict=True)
    ours.eval(), ref.eval()
    x = torch.randn(2, 3, 16, 32, 32)
    with torch.no_grad():
        a, b = ours(x), ref(x)
    # mmaction2 returns only the last stage (docs/design.md, pitfall 8); ours returns all four
    assert isinstance(b, torch.Tensor) and len(a) == 4
    assert [t.shape[1] for t in a] == [4, 8, 16, 32]
    torch.testing.assert_close(a[-1], b, rtol=0, atol=0)


def test_c3d_loads_without_fc_and_same_features():
    ours = C3DTrunk(out_indices=(4, ))
    randomize_state(ours, 3)
    # 16x32x32 -> pool5 512x1x2x2 = 2048 features into fc6
    ref = C3D(out_dim=2048)
    fc_before = {k: v.clone() for k, v in ref.state_dict().items() if 'fc' in k}
    res = ref.load_state_dict(ours.state_dict(), strict=False)
    assert sorted(res.missing_keys) == ['fc6.bias', 'fc6.weight', 'fc7.bias', 'fc7.weight']
    assert res.unexpected_keys == []
    for k, v in ours.state_dict().items():
        assert torch.equal(ref.state_dict()[k], v)
    ours.eval(), ref.eval()
    x = torch.randn(2, 3, 16, 32, 32)
    with torch.no_grad():
        feat = ours(x)[0]
        ours_fc = torch.relu(ref.fc7(torch.relu(ref.fc6(feat.flatten(1)))))
        torch.testing.assert_close(ours_fc, ref(x), rtol=0, atol=0)
    assert all(torch.equal(ref.state_dict()[k], v) for k, v in fc_before.items())


def test_c3d_with_norm_same_names_as_mmaction():
    norm = dict(type='IN3d', affine=True)
    ours = set(C3DTrunk(norm_cfg=norm, base_channels=4).state_dict())
    ref = set(C3D(norm_cfg=norm, out_dim=8).state_dict())
    assert ours == {k for k in ref if not k.startswith(('fc6.', 'fc7.'))}
    assert 'conv1a.in.weight' in ours
    assert 'conv1a.conv.bias' not in ours  # bias off when normed
