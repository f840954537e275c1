"""``init_cfg=dict(type='Pretrained', prefix='backbone.')`` really loads.

mmaction2's own ResNet3d family loads nothing that way (docs/design.md, pitfall 7).
"""
import vssl_mm  # noqa: F401  isort:skip  (fixes the stack before mmaction.models)
import pytest
import torch
from mmaction.models import ResNet3d

from vssl_mm.models.backbones import S3D, C3DTrunk, ResNet2Plus1dSSL, ResNet3dSSL

BUILDERS = {
    'r3d': lambda **kw: ResNet3dSSL(depth=10, base_channels=8, **kw),
    'r21d': lambda **kw: ResNet2Plus1dSSL(depth=10, base_channels=8, **kw),
    'c3d': lambda **kw: C3DTrunk(base_channels=4, **kw),
    's3dg': lambda **kw: S3D(gating=True, **kw),
}


def _write_full_checkpoint(model, path):
    """A checkpoint as an SSL algorithm saves it: backbone + other modules."""
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.1)
    state = {'backbone.' + k: v for k, v in model.state_dict().items()}
    state['cls_head.fc.weight'] = torch.randn(5, 3)
    torch.save({'state_dict': state, 'meta': {'epoch': 3}}, path)
    return model.state_dict()


@pytest.mark.parametrize('name', list(BUILDERS))
def test_pretrained_prefix_loads(name, tmp_path):
    path = str(tmp_path / 'ssl.pth')
    expected = _write_full_checkpoint(BUILDERS[name](), path)
    model = BUILDERS[name](init_cfg=dict(type='Pretrained', checkpoint=path, prefix='backbone.'))
    model.init_weights()
    got = model.state_dict()
    assert set(got) == set(expected)
    for k, v in expected.items():
        assert torch.equal(got[k], v), k
    # and a freshly initialised one differs (the check above can fail)
    fresh = BUILDERS[name]()
    fresh.init_weights()
    assert any(not torch.equal(fresh.state_dict()[k], v) for k, v in expected.items()
               if v.is_floating_point())


def test_mmaction_resnet3d_ignores_init_cfg_ours_does_not(tmp_path):
    """Documents docs/design.md pitfall 7: the plain mmaction2 backbone loads nothing."""
    path = str(tmp_path / 'ssl.pth')
    expected = _write_full_checkpoint(BUILDERS['r3d'](), path)
    cfg = dict(type='Pretrained', checkpoint=path, prefix='backbone.')
    plain = ResNet3d(
        depth=18,
        stage_blocks=(1, 1, 1, 1),
        base_channels=8,
        pretrained2d=False,
        conv1_kernel=(7, 7, 7),
        temporal_strides=(1, 2, 2, 2),
        with_pool2=False,
        init_cfg=cfg)
    plain.init_weights()
    k = 'layer4.0.conv1.conv.weight'
    assert not torch.equal(plain.state_dict()[k], expected[k])
    ours = BUILDERS['r3d'](init_cfg=cfg)
    ours.init_weights()
    assert torch.equal(ours.state_dict()[k], expected[k])


def test_unsafe_checkpoint_refused(tmp_path):
    """Pretrained loading keeps torch's weights_only=True."""
    import os
    path = str(tmp_path / 'evil.pth')

    class Evil:

        def __reduce__(self):
            return (os.getcwd, ())

    torch.save({'state_dict': {}, 'x': Evil()}, path)
    model = BUILDERS['c3d'](init_cfg=dict(type='Pretrained', checkpoint=path, prefix='backbone.'))
    from vssl_mm.utils.compat import UnsafeCheckpointError
    with pytest.raises(UnsafeCheckpointError, match='Refused'):
        model.init_weights()
