"""SlowFastLevels (MLRep Table 3, SlowFast rows): levels, exact equality with mmaction2's
ResNet3dSlowFast, strict state-dict compatibility, export into the downstream recognizers
and MLRep training steps in the three temporal modes."""
import vssl_mm  # noqa: F401  isort:skip  (fixes the stack before mmaction.models)
import copy
import importlib.util
import os.path as osp

import pytest
import torch
from mmaction.models import ResNet3dSlowFast
from mmengine.config import Config

from tests.conftest import REPO, randomize_state
from vssl_mm.models.algorithms.mlrep import MLRep
from vssl_mm.models.backbones import SlowFastLevels, fuse_pathways
from vssl_mm.registry import MODELS

ROOT = REPO

# SlowFast-R18 at a quarter of the width (slow 16, fast 2 = 16 / channel_ratio), tau 4,
# alpha 4 as the paper config: 16-frame input -> slow 4 steps, fast 16 steps.
TINY = dict(
    resample_rate=4,
    speed_ratio=4,
    channel_ratio=8,
    slow_pathway=dict(
        type='resnet3d',
        depth=18,
        pretrained=None,
        lateral=True,
        base_channels=16,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1)),
    fast_pathway=dict(
        type='resnet3d',
        depth=18,
        pretrained=None,
        lateral=False,
        base_channels=2,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1))
TINY_CHANNELS = {0: 16 + 2, 1: 32 + 4, 2: 64 + 8, 3: 128 + 16}


def _tiny(**kw):
    return SlowFastLevels(**copy.deepcopy(TINY), **kw)


def _base_backbone_cfg() -> dict:
    return Config.fromfile(osp.join(ROOT, 'configs/_base_/models/slowfast.py')).model.backbone


def test_level_shapes_and_channels():
    model = _tiny(out_indices=(0, 1, 2, 3))
    model.eval()
    assert model.level_channels() == TINY_CHANNELS
    with torch.no_grad():
        outs = model(torch.randn(2, 3, 16, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 18, 16, 8, 8), (2, 36, 16, 4, 4),
                                              (2, 72, 16, 2, 2), (2, 144, 16, 1, 1)]
    slow = _tiny(out_indices=(1, 2, 3), fusion='slow').eval()
    with torch.no_grad():
        assert [o.shape[2] for o in slow(torch.randn(1, 3, 16, 32, 32))] == [4, 4, 4]
    one = _tiny(return_tuple=False).eval()
    with torch.no_grad():
        assert one(torch.randn(1, 3, 16, 32, 32)).shape == (1, 144, 16, 1, 1)
    with pytest.raises(ValueError):
        _tiny(out_indices=(4, ))
    with pytest.raises(ValueError):
        _tiny(fusion='sum')

    # the paper configuration (SlowFast-R50, tau 4, alpha 4, beta 1/8)
    cfg = _base_backbone_cfg()
    cfg.out_indices = (1, 2, 3)
    r50 = MODELS.build(cfg).eval()
    assert r50.level_channels() == {0: 288, 1: 576, 2: 1152, 3: 2304}
    assert sum(p.numel() for p in r50.parameters()) == 33_557_288
    with torch.no_grad():
        outs = r50(torch.randn(1, 3, 16, 32, 32))
    assert [tuple(o.shape[1:3]) for o in outs] == [(576, 16), (1152, 16), (2304, 16)]


def test_same_computation_as_mmaction_slowfast():
    """Every level is the fused (slow, fast) stage output of a plain ResNet3dSlowFast with
    the same weights; the high level is its forward output fused: the laterals are
    mmaction2's, exactly (no tolerance)."""
    ours = _tiny(out_indices=(0, 1, 2, 3))
    randomize_state(ours)
    ref = ResNet3dSlowFast(**copy.deepcopy(TINY))
    assert set(ref.state_dict()) == set(ours.state_dict())
    ref.load_state_dict(ours.state_dict(), strict=True)
    ours.load_state_dict(ref.state_dict(), strict=True)
    ours.eval(), ref.eval()
    captured = {}
    for path in ('slow_path', 'fast_path'):
        for i, name in enumerate(getattr(ref, path).res_layers):
            getattr(getattr(ref, path), name).register_forward_hook(
                lambda m, a, out, key=(path, i): captured.__setitem__(key, out))
    x = torch.randn(2, 3, 16, 32, 32)
    with torch.no_grad():
        levels = ours(x)
        x_slow, x_fast = ref(x)
    assert x_slow.shape[2] == 4 and x_fast.shape[2] == 16
    high = torch.cat([x_slow.repeat_interleave(4, dim=2), x_fast], dim=1)
    torch.testing.assert_close(levels[3], high, rtol=0, atol=0)
    for i in range(4):
        s, f = captured[('slow_path', i)], captured[('fast_path', i)]
        torch.testing.assert_close(
            levels[i], torch.cat([s.repeat_interleave(4, 2), f], 1), rtol=0, atol=0)
        assert levels[i].abs().sum() > 0
    # 'slow' fusion: fast averaged over groups of alpha = 4 steps
    ours.fusion = 'slow'
    with torch.no_grad():
        hs = ours(x)[3]
    ref_slow = torch.cat([x_slow, x_fast.view(*x_fast.shape[:2], 4, 4, 1, 1).mean(3)], 1)
    torch.testing.assert_close(hs, ref_slow)
    # average pooling the fused map = SlowFastHead's per-pathway pools (fast, slow order)
    torch.testing.assert_close(
        levels[3].mean(dim=(2, 3, 4)),
        torch.cat([x_slow.mean(dim=(2, 3, 4)),
                   x_fast.mean(dim=(2, 3, 4))], 1))
    with pytest.raises(ValueError):
        fuse_pathways(x_slow, x_fast[..., :0, :], 'fast')


def test_init_cfg_pretrained_really_loads(tmp_path):
    src = _tiny()
    randomize_state(src, 3)
    ckpt = str(tmp_path / 'ssl.pth')
    torch.save(
        dict(
            state_dict={
                **{
                    f'backbone.{k}': v
                    for k, v in src.state_dict().items()
                }, 'proto_head.prototypes.weight': torch.zeros(3, 2)
            }), ckpt)
    dst = _tiny(init_cfg=dict(type='Pretrained', checkpoint=ckpt, prefix='backbone.'))
    dst.init_weights()
    for k, v in src.state_dict().items():
        assert torch.equal(dst.state_dict()[k], v), k


def _load_export_tool():
    path = osp.join(ROOT, 'tools/model_converters/extract_backbone.py')
    spec = importlib.util.spec_from_file_location('extract_backbone', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_exported_backbone_loads_into_downstream_recognizers(tmp_path):
    """The paper-config backbone (R50), exported from an SSL-style checkpoint, loads into
    the finetune recognizer (plain mmaction2 ResNet3dSlowFast + SlowFastHead, strict) and
    the linear-probe one (SlowFastLevels): every tensor arrives."""
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    ssl_backbone = MODELS.build(dict(_base_backbone_cfg(), out_indices=(1, 2, 3)))
    randomize_state(ssl_backbone, 5)
    expected = ssl_backbone.state_dict()
    state = {f'backbone.{k}': v for k, v in expected.items()}
    state['proto_head.prototypes.weight'] = torch.zeros(4, 2)
    tool = _load_export_tool()
    exported, stats = tool.extract_backbone(dict(state_dict=state))
    assert stats == dict(written=len(expected), dropped=1)
    out = str(tmp_path / 'backbone.pth')
    torch.save(dict(state_dict=exported, meta={}), out)

    for kind in ('finetune', 'linear_probe'):
        cfg = Config.fromfile(
            osp.join(ROOT, f'configs/benchmarks/{kind}/'
                     'slowfast_ucf101_split1.py'))
        cfg.model.backbone.pretrained = out
        rec = MODELS.build(cfg.model)
        assert type(rec.backbone) is (ResNet3dSlowFast if kind == 'finetune' else SlowFastLevels)
        rec.init_weights()
        loaded = rec.backbone.state_dict()
        assert set(loaded) == set(expected)
        for k, v in expected.items():
            assert torch.equal(loaded[k], v), (kind, k)
        rec.eval()
        with torch.no_grad():
            feats = rec.extract_feat(torch.randn(1, 1, 3, 16, 32, 32))[0]
            scores = rec.cls_head(feats)
        assert scores.shape == (1, 101) and torch.isfinite(scores).all()


def test_mlrep_slowfast_configs_build_the_shared_backbone():
    """The Table 3 SlowFast configs take their backbone from configs/_base_/models/slowfast.py
    (no copy in the config): the built backbone is the SlowFast-R50 of that file (tau 4,
    alpha 4, 33.56M parameters) with SyncBN in both pathways, and its levels have the
    channels the model's heads are built for."""
    modes = {
        'slowfast_k400': 'feature',
        'slowfast_k400_no_temporal_modelling': 'none',
        'slowfast_k400_conventional_temporal_modelling': 'input'
    }
    for name, mode in modes.items():
        cfg = Config.fromfile(osp.join(ROOT, f'configs/mlrep/{name}.py')).model
        assert cfg.type == 'MLRep' and cfg.temporal_mode == mode
        assert tuple(cfg.num_tokens) == (8, 4, 2)  # 16 fast steps: 8 | 16, 4 | 16 ...
    assert tuple(cfg.temporal_augs) == ('reverse', 'shuffle')  # CTM, the last one

    cfg = Config.fromfile(osp.join(ROOT, 'configs/mlrep/slowfast_k400.py')).model
    backbone = MODELS.build(cfg.backbone)
    assert isinstance(backbone, SlowFastLevels) and backbone.fusion == 'fast'
    assert (backbone.resample_rate, backbone.speed_ratio) == (4, 4)
    channels = backbone.level_channels()
    assert tuple(channels[i] for i in backbone.out_indices) == tuple(cfg.level_channels)
    assert tuple(cfg.level_channels) == (576, 1152, 2304)
    assert sum(p.numel() for p in backbone.parameters()) == 33_557_288
    norms = {
        type(m)
        for m in backbone.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    }
    # paper config: SyncBN in both pathways (BN on CPU at train time)
    assert norms and all(issubclass(n, torch.nn.SyncBatchNorm) for n in norms)


@pytest.mark.parametrize('mode', ['feature', 'input', 'none'])
def test_mlrep_training_steps(mode):
    torch.manual_seed(0)
    model = MLRep(
        backbone=dict(type='SlowFastLevels', out_indices=(1, 2, 3), **copy.deepcopy(TINY)),
        level_channels=tuple(TINY_CHANNELS[i] for i in (1, 2, 3)),
        proj_channels=8,
        num_prototypes=6,
        queue_length=4,
        me_reduction=4,
        temporal_mode=mode,
        temporal_augs=('reverse', 'shuffle') if mode == 'input' else ('reverse', ))
    model.init_weights()
    model.train()
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2, 3, 3, 16, 32, 32)
    params = dict(model.backbone.named_parameters())
    watched = ('slow_path.conv1.conv.weight', 'fast_path.conv1.conv.weight',
               'slow_path.conv1_lateral.conv.weight', 'slow_path.layer2_lateral.conv.weight')
    before = {k: params[k].detach().clone() for k in watched}
    for step in range(2):
        model.set_stage(mul_on=step == 1, queue_on=step == 1)
        out = model.loss(x)
        losses = {k: v for k, v in out.items() if k.startswith('loss')}
        expected = {'loss_ins', 'loss_proto', 'loss_mul_high', 'loss_mul_mid', 'loss_mul_low'}
        if mode != 'none':
            expected |= {
                'loss_aug_mid', 'loss_aug_low', 'loss_ret_high', 'loss_ret_mid', 'loss_ret_low'
            }
        assert set(losses) == expected
        assert all(torch.isfinite(v) for v in out.values())
        optim.zero_grad()
        sum(losses.values()).backward()
        for k in watched:
            assert params[k].grad is not None and torch.isfinite(params[k].grad).all()
        optim.step()
    assert out['loss_mul_low'] > 0 and model.queue_filled.item() == 4
    for k in watched:  # both pathways and the laterals are trained
        assert not torch.equal(before[k], params[k].detach()), k
