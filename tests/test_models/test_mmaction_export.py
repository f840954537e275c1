"""Exported backbones load into plain mmaction2 recognizers.

Per backbone family: an SSL-style checkpoint (backbone + neck + momentum encoder, the
pretraining config in ``meta['cfg']`` as mmengine Runners write it) goes through
``tools/model_converters/extract_backbone.py``; the written checkpoint and config are
loaded with ``mmaction.apis.init_recognizer`` and through an mmengine ``Runner``
(``load_from``; ``model.backbone.pretrained`` for ``--format backbone``). Every tensor is
compared, the count of loaded tensors asserted, and the recognizer's backbone output on
one input compared with the source backbone's.
"""
import vssl_mm  # noqa: F401  isort:skip  (stack fixes before mmaction.models)
import copy
import glob
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from tests.conftest import REPO as ROOT
from tests.test_models.test_backbones.test_slowfast_levels import TINY as SLOWFAST_QUARTER
from vssl_mm.models import mmaction_export as mx

TOOL = osp.join(ROOT, 'tools/model_converters/extract_backbone.py')

SLOWFAST_TINY = dict(type='SlowFastLevels', out_indices=(1, 2, 3), **SLOWFAST_QUARTER)

# name: (pretraining backbone cfg, --target, backbone type in the recognizer,
#        tensors loaded, tensors new in the recognizer's backbone, input (T, H, W))
FAMILIES = {
    'r3d18': (dict(type='ResNet3dSSL', depth=18, base_channels=8,
                   out_indices=(1, 2, 3)), 'auto', 'ResNet3d', 120, (), (8, 32, 32)),
    'r3d10_in':
    (dict(type='ResNet3dSSL', depth=10, base_channels=8,
          norm_cfg=dict(type='IN3d', affine=True)), 'auto', 'ResNet3d', 36, (), (16, 64, 64)),
    'r21d10': (dict(
        type='ResNet2Plus1dSSL',
        depth=10,
        base_channels=8,
        norm_cfg=dict(type='BN3d', requires_grad=True,
                      eps=1e-3)), 'auto', 'ResNet2Plus1d', 144, (), (8, 32, 32)),
    'r21d18_mmaction_type': (dict(
        type='ResNet2Plus1d',
        depth=18,
        pretrained2d=False,
        base_channels=8,
        conv_cfg=dict(type='Conv2plus1d'),
        conv1_kernel=(3, 7, 7),
        temporal_strides=(1, 2, 2, 2),
        with_pool2=False,
        out_indices=(3, )), 'auto', 'ResNet2Plus1d', 240, (), (8, 32, 32)),
    'c3d': (dict(
        type='C3DTrunk',
        base_channels=8,
        out_indices=(2, 3, 4),
        norm_cfg=dict(type='BN3d', requires_grad=True)), 'auto', 'C3DTrunk', 48, (), (16, 32, 32)),
    'c3d_mmaction': (dict(type='C3DTrunk',
                          out_indices=(4, )), 'mmaction', 'C3D', 16, mx.C3D_FC_KEYS, (16, 32, 32)),
    'slowfast': (SLOWFAST_TINY, 'auto', 'ResNet3dSlowFast', 250, (), (16, 32, 32)),
    's3dg': (dict(type='S3D', gating=True,
                  out_indices=(3, 4)), 'auto', 'S3D', 536, (), (8, 32, 32)),
}


def _build_ssl(cfg):
    from vssl_mm.registry import MODELS
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    torch.manual_seed(3)
    with torch.no_grad():  # weights no init scheme produces, so a load is visible
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
        for name, b in model.named_buffers():
            if name.endswith('running_mean'):
                b.uniform_(-0.2, 0.2)
            elif name.endswith('running_var'):
                b.uniform_(0.5, 1.5)
            elif name.endswith('num_batches_tracked'):
                b.fill_(7)
    model.eval()  # (mmaction2's ResNet3d.train returns None)
    return model


def _ssl_checkpoint(path, backbone_cfg, model):
    """What a Runner writes for an SSL algorithm: backbone.*, other modules, meta.cfg."""
    state = {f'backbone.{k}': v for k, v in model.state_dict().items()}
    first = next(iter(model.state_dict()))
    state[f'key_backbone.{first}'] = torch.zeros(1)  # momentum encoder: dropped
    state['neck.fc.weight'] = torch.ones(4, 4)
    cfg = Config(dict(model=dict(type='ClipContrast', backbone=backbone_cfg)))
    torch.save(dict(state_dict=state, meta=dict(epoch=2, iter=20, cfg=cfg.pretty_text)), path)


def _tool():
    spec = importlib.util.spec_from_file_location('extract_backbone_cli', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ssl_output(model, x):
    if type(model).__name__ == 'SlowFastLevels':
        return model.forward_pathways(x)[-1]
    out = model(x)
    return out[-1] if isinstance(out, tuple) else out


def _rec_output(rec, x):
    """The recognizer's backbone output on ``x`` (N, C, T, H, W), via extract_feat."""
    bb = rec.backbone
    if type(bb).__name__ == 'C3D':  # fc7 output: compare the trunk (pool5) instead,
        seen = []  # stopping there (fc6 is sized for 16x112x112)

        def hook(module, inputs, output):
            seen.append(output)
            raise _Stop

        handle = bb.pool5.register_forward_hook(hook)
        try:
            rec.extract_feat(x[:, None], stage='backbone')
        except _Stop:
            pass
        finally:
            handle.remove()
        return seen[0]
    return rec.extract_feat(x[:, None], stage='backbone')[0]


class _Stop(Exception):
    pass


def _assert_same(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same(u, v)
        return
    assert a.shape == b.shape
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def _count_loaded(rec_backbone, src_state):
    own = rec_backbone.state_dict()
    return sum(1 for k, v in src_state.items() if k in own and torch.equal(own[k], v))


@pytest.fixture(scope='module')
def tool():
    return _tool()


@pytest.mark.slow
@pytest.mark.parametrize('family', list(FAMILIES))
def test_family_loads_through_init_recognizer_and_runner(family, tool, tmp_path):
    from mmaction.apis import init_recognizer
    ssl_cfg, target, rec_type, n_tensors, new_keys, thw = FAMILIES[family]
    ssl = _build_ssl(ssl_cfg)
    src = ssl.state_dict()
    assert len(src) == n_tensors
    ckpt = str(tmp_path / 'epoch_2.pth')
    _ssl_checkpoint(ckpt, ssl_cfg, ssl)
    out, cfg_path = str(tmp_path / 'backbone.pth'), str(tmp_path / 'recognizer.py')
    tool.main([ckpt, out, '--target', target, '--mmaction-config', cfg_path, '--num-classes', '5'])

    exported = torch.load(out, map_location='cpu', weights_only=True)
    assert set(exported['state_dict']) == {f'backbone.{k}' for k in src}
    meta = exported['meta']
    assert meta['format'] == 'recognizer' and meta['num_tensors'] == n_tensors
    assert meta['epoch'] == 2 and meta['mmaction_backbone']['type'].endswith(rec_type)

    # 1. mmaction2's own API, CPU
    rec = init_recognizer(cfg_path, out, device='cpu')
    assert type(rec).__name__ == 'Recognizer3D'
    assert type(rec.backbone).__name__ == rec_type
    native = not rec.cfg.model.backbone.type.startswith('vssl_mm.')
    assert type(rec.backbone).__module__.startswith('mmaction.' if native else 'vssl_mm.')
    assert set(rec.backbone.state_dict()) == set(src) | set(new_keys)
    assert _count_loaded(rec.backbone, src) == n_tensors
    x = torch.randn(1, 3, *thw)
    with torch.no_grad():
        expected = _ssl_output(ssl, x)
        _assert_same(_rec_output(rec, x), expected)
        if not new_keys:  # the head takes the backbone's output as it is
            assert rec.cls_head(rec.extract_feat(x[:, None])[0]).shape == (x.shape[0], 5)

    # 2. the Runner: load_from (the written config sets it) after init_weights
    from mmengine.runner import Runner
    cfg = Config.fromfile(cfg_path)
    cfg.work_dir, cfg.experiment_name = str(tmp_path / 'work'), f'{family}_load_from'
    runner = Runner.from_cfg(cfg)
    runner._init_model_weights()
    assert _count_loaded(runner.model.backbone, src) == 0  # random before the load
    runner.load_or_resume()
    assert _count_loaded(runner.model.backbone, src) == n_tensors
    runner.model.eval()
    with torch.no_grad():
        _assert_same(_rec_output(runner.model, x), expected)

    # 3. bare keys as model.backbone.pretrained (init_cfg Pretrained for vssl_mm's S3D)
    bare = str(tmp_path / 'bare.pth')
    tool.main([ckpt, bare, '--format', 'backbone', '--target', target])
    assert set(torch.load(bare, weights_only=True)['state_dict']) == set(src)
    cfg = Config.fromfile(cfg_path)
    cfg.work_dir, cfg.load_from = str(tmp_path / 'work2'), None
    cfg.experiment_name = f'{family}_pretrained'
    if rec_type == 'S3D':
        cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=bare)
    else:
        cfg.model.backbone.pretrained = bare
    runner = Runner.from_cfg(cfg)
    runner._init_model_weights()
    assert _count_loaded(runner.model.backbone, src) == n_tensors


def test_vssl_mm_backbones_take_recognizer_layout_as_pretrained(tool, tmp_path):
    """The default export (backbone.* keys) as ``model.backbone.pretrained`` of vssl_mm's
    backbones (the benchmark configs' types) loads every tensor; so does the full
    pretraining checkpoint. mmaction2's ResNet3d needs --format backbone for that."""
    from vssl_mm.registry import MODELS
    cfg = FAMILIES['r3d18'][0]
    ssl = _build_ssl(cfg)
    ckpt, out = str(tmp_path / 'ssl.pth'), str(tmp_path / 'rec.pth')
    _ssl_checkpoint(ckpt, cfg, ssl)
    tool.main([ckpt, out])
    for path in (out, ckpt):
        with DefaultScope.overwrite_default_scope('vssl_mm'):
            bb = MODELS.build(dict(cfg, pretrained=path))
        bb.init_weights()
        assert _count_loaded(bb, ssl.state_dict()) == 120, path
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        sf = MODELS.build(dict(SLOWFAST_TINY, pretrained=None))
    sf_src = _build_ssl(SLOWFAST_TINY).state_dict()
    sf_ckpt, sf_out = str(tmp_path / 'sf.pth'), str(tmp_path / 'sf_rec.pth')
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in sf_src.items()}), sf_ckpt)
    tool.main([sf_ckpt, sf_out])
    sf.init_weights(pretrained=sf_out)  # mmaction2's strict load inside
    assert _count_loaded(sf, sf_src) == len(sf_src) == 250


def test_base_model_configs_map_to_mmaction2(tmp_path):
    """Every paper backbone of configs/_base_/models maps to a recognizer backbone whose
    parameter names and shapes are the pretraining backbone's (built on the meta device)."""
    from vssl_mm.registry import MODELS
    expected = {
        'r3d10': 'ResNet3d',
        'r3d18': 'ResNet3d',
        'r3d34': 'ResNet3d',
        'r21d10': 'ResNet2Plus1d',
        'r21d18': 'ResNet2Plus1d',
        'slowfast': 'ResNet3dSlowFast',
        'c3d': 'vssl_mm.C3DTrunk',
        's3d': 'vssl_mm.S3D',
        's3dg': 'vssl_mm.S3D'
    }
    files = sorted(glob.glob(osp.join(ROOT, 'configs/_base_/models/*.py')))
    assert {osp.basename(f)[:-3] for f in files} >= set(expected)
    for f in files:
        name = osp.basename(f)[:-3]
        ssl_cfg = Config.fromfile(f).model.backbone.to_dict()
        with DefaultScope.overwrite_default_scope('vssl_mm'), torch.device('meta'):
            state = MODELS.build(copy.deepcopy(ssl_cfg)).state_dict()
        mm_cfg, _ = mx.mmaction_backbone_cfg(ssl_cfg)
        assert mm_cfg['type'] == expected[name], name
        assert mx.check_backbone_state(mm_cfg, state)['missing'] == []
        head = mx.head_for(mm_cfg, 101)
        assert head['type'] == ('SlowFastHead' if name == 'slowfast' else 'I3DHead')
        if name == 'c3d':  # full width: mmaction2's C3D on request, fc6/fc7 new
            c3d, _ = mx.mmaction_backbone_cfg(ssl_cfg, target='mmaction')
            assert mx.check_backbone_state(c3d, state)['new'] == list(mx.C3D_FC_KEYS)
            assert mx.head_for(c3d, 101)['in_channels'] == 4096
    with pytest.raises(mx.ExportError, match='no S3D'):
        mx.mmaction_backbone_cfg(dict(type='S3D'), target='mmaction')
    with pytest.raises(mx.ExportError, match='fixed widths'):
        mx.mmaction_backbone_cfg(dict(type='C3DTrunk', base_channels=8), target='mmaction')


def test_wrong_config_is_refused(tool, tmp_path):
    ssl = _build_ssl(FAMILIES['r3d18'][0])
    ckpt, out = str(tmp_path / 'ssl.pth'), str(tmp_path / 'out.pth')
    _ssl_checkpoint(ckpt, FAMILIES['r3d18'][0], ssl)
    other = tmp_path / 'other.py'
    other.write_text("model = dict(backbone=dict(type='ResNet3dSSL', depth=18, "
                     'base_channels=16))\n')
    with pytest.raises(SystemExit, match='do not fit ResNet3d'):
        tool.main([ckpt, out, '--config', str(other)])
    assert not osp.exists(out)


def _run(args, cwd=ROOT):
    res = subprocess.run([sys.executable, *args],
                         capture_output=True,
                         text=True,
                         cwd=cwd,
                         env={
                             'PYTHONPATH': ROOT,
                             'PATH': '/usr/bin:/bin',
                             'OMP_NUM_THREADS': '2'
                         },
                         timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout + res.stderr


@pytest.mark.slow
def test_docs_journey_config_trains_from_export(ssl_checkpoint, synthetic_root, tmp_path):
    """docs/export_to_mmaction2.md: the SimCLR synthetic checkpoint, exported with the
    default format, in configs/benchmarks/mmaction2/r3d18_synthetic.py (plain mmaction2
    ResNet3d, the backbone the tool prints): init_recognizer and tools/train.py
    (load_from) both load every tensor."""
    ckpt, ssl_model = ssl_checkpoint
    out = str(tmp_path / 'backbone.pth')
    cfg_file = osp.join(ROOT, 'configs/benchmarks/mmaction2/r3d18_synthetic.py')
    printed = _run(
        [TOOL, ckpt, out, '--config',
         osp.join(ROOT, 'configs/simclr/r3d18_synthetic.py')])
    assert 'Wrote 120 backbone tensors' in printed and "init_recognizer(" in printed
    cfg = Config.fromfile(cfg_file)
    doc_backbone = {k: v for k, v in cfg.model.backbone.to_dict().items() if k != '_delete_'}
    assert mx.plain(doc_backbone) == torch.load(out, weights_only=True)['meta']['mmaction_backbone']
    page = open(osp.join(ROOT, 'docs/export_to_mmaction2.md'), encoding='utf-8').read()
    assert 'configs/benchmarks/mmaction2/r3d18_synthetic.py' in page

    from mmaction.apis import init_recognizer
    rec = init_recognizer(cfg_file, out, device='cpu')
    assert type(rec.backbone).__module__ == 'mmaction.models.backbones.resnet3d'
    assert _count_loaded(rec.backbone, ssl_model.backbone.state_dict()) == 120

    opts = []
    for name in ('train', 'val', 'test'):
        ann = 'train.txt' if name == 'train' else 'val.txt'
        opts += [
            f'{name}_dataloader.dataset.ann_file={osp.join(synthetic_root, ann)}',
            f'{name}_dataloader.dataset.data_prefix.video={synthetic_root}',
            f'{name}_dataloader.num_workers=0'
        ]
    work = str(tmp_path / 'work')
    log = _run([
        osp.join(ROOT, 'tools/train.py'), cfg_file, '--work-dir', work, '--cfg-options',
        f'load_from={out}', 'train_cfg.max_epochs=1', *opts
    ])
    assert f'Load checkpoint from {out}' in log and 'Epoch(train) [1][2/2]' in log
    # the finetuned weights started from the export: two SGD steps away from the SSL
    # values (a random start would differ by about the weights' own size)
    final = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=False)['state_dict']
    for k, w0 in ssl_model.backbone.state_dict().items():
        if w0.is_floating_point() and k.endswith('conv.weight'):
            w1 = final[f'backbone.{k}']
            assert (w1 - w0).abs().mean() < 0.1 * w0.abs().mean(), k
