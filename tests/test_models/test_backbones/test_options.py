"""norm_cfg (BN / SyncBN / IN), frozen stages, and one training step with IN."""
import pytest
import torch
import torch.nn as nn

import vssl_mm  # noqa: F401
from vssl_mm.models.backbones import S3D, C3DTrunk, ResNet2Plus1dSSL, ResNet3dSSL

IN = dict(type='IN3d', affine=True)


def _norm_types(m):
    return {
        type(x).__name__
        for x in m.modules() if isinstance(x, (nn.modules.batchnorm._NormBase, ))
    }


@pytest.mark.parametrize('norm,expected', [
    (dict(type='BN3d'), {'BatchNorm3d'}),
    (dict(type='SyncBN'), {'SyncBatchNorm'}),
    (IN, {'InstanceNorm3d'}),
])
@pytest.mark.parametrize('build', [
    lambda n: ResNet3dSSL(depth=10, base_channels=4, norm_cfg=n),
    lambda n: ResNet2Plus1dSSL(depth=10, base_channels=4, norm_cfg=n),
    lambda n: C3DTrunk(base_channels=4, norm_cfg=n),
    lambda n: S3D(norm_cfg=n),
])
def test_norm_cfg_everywhere(build, norm, expected):
    assert _norm_types(build(norm)) == expected


def test_c3d_default_has_no_norm():
    assert _norm_types(C3DTrunk(base_channels=4)) == set()


def test_instance_norm_disables_zero_init_residual():
    m = ResNet3dSSL(depth=10, base_channels=4, norm_cfg=IN)
    m.init_weights()
    assert m.zero_init_residual is False
    assert m.layer1[0].conv2.norm.weight.abs().sum() > 0  # not zeroed (docs/design.md, pitfall 9)
    assert ResNet3dSSL(depth=10, base_channels=4).zero_init_residual is True


@pytest.mark.parametrize(
    'build,shape',
    [
        # the architectures at reduced width (CPU time); last IN maps are 2x2x2
        (lambda: ResNet3dSSL(depth=18, base_channels=8, norm_cfg=IN), (2, 3, 16, 48, 48)),
        (lambda: C3DTrunk(base_channels=16, norm_cfg=IN), (2, 3, 16, 32, 32)),
    ])
def test_instance_norm_train_step(build, shape):
    """hdc's backbones (IN instead of BN) train: one SGD step lowers the loss."""
    torch.manual_seed(0)
    m = build()
    m.init_weights()
    m.train()
    x = torch.randn(*shape)
    target = torch.randn_like(m(x)[-1]).detach()
    opt = torch.optim.SGD(m.parameters(), lr=0.01)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    loss0 = (m(x)[-1] - target).pow(2).mean()
    opt.zero_grad()
    loss0.backward()
    opt.step()
    with torch.no_grad():
        loss1 = (m(x)[-1] - target).pow(2).mean()
    assert torch.isfinite(loss1) and loss1 < loss0
    changed = [k for k, v in m.state_dict().items() if not torch.equal(v, before[k])]
    assert any('layer4' in k or 'conv5b' in k for k in changed)


@pytest.mark.parametrize(
    'build,frozen,trainable',
    [
        # mmaction2 semantics: the stem is stage 0, frozen_stages=k freezes the stem and
        # k stages after it (ResNet: conv1 + layer1..layerk; C3D / S3D: stages 0..k)
        (lambda: ResNet3dSSL(depth=10, base_channels=4, frozen_stages=2),
         ['conv1.', 'layer1.', 'layer2.'], ['layer3.', 'layer4.']),
        (lambda: ResNet2Plus1dSSL(depth=10, base_channels=4, frozen_stages=1),
         ['conv1.', 'layer1.'], ['layer2.', 'layer4.']),
        (lambda: C3DTrunk(base_channels=4, frozen_stages=2), ['conv1a.', 'conv2a.', 'conv3b.'
                                                              ], ['conv4a.', 'conv5b.']),
        (lambda: S3D(frozen_stages=2, gating=True), ['conv1.', 'conv2c.', 'gate2c.', 'mixed_3c.'
                                                     ], ['mixed_4b.', 'mixed_5c.']),
    ])
def test_frozen_stages(build, frozen, trainable):
    m = build()
    m.train()
    for name, p in m.named_parameters():
        if any(name.startswith(f) for f in frozen):
            assert not p.requires_grad, name
        if any(name.startswith(t) for t in trainable):
            assert p.requires_grad, name
    # frozen norm layers stay in eval mode
    first = dict(m.named_modules())[frozen[0].rstrip('.')]
    assert not first.training
