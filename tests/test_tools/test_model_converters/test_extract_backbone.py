"""Export a backbone, load it into an mmaction2 recognizer, compare every tensor."""
import os.path as osp
import subprocess
import sys

import pytest
import torch

from tests.conftest import REPO as ROOT

pytestmark = pytest.mark.slow

EXPORT = osp.join(ROOT, 'tools/model_converters/extract_backbone.py')


def _run(*args):
    return subprocess.run([sys.executable, *args],
                          capture_output=True,
                          text=True,
                          cwd=ROOT,
                          env={
                              'PYTHONPATH': ROOT,
                              'PATH': '/usr/bin:/bin'
                          })


def test_default_format_is_a_recognizer_checkpoint(ssl_checkpoint, tmp_path):
    """Default ``--format recognizer``: ``backbone.*`` keys (init_recognizer, load_from),
    meta recorded; the file reads back with ``weights_only=True``."""
    ckpt, ssl_model = ssl_checkpoint
    out = str(tmp_path / 'backbone.pth')
    res = _run(EXPORT, ckpt, out, '--config', osp.join(ROOT, 'configs/simclr/r3d18_synthetic.py'))
    assert res.returncode == 0, res.stderr
    expected = ssl_model.backbone.state_dict()
    assert f'Wrote {len(expected)} backbone tensors' in res.stdout
    assert "format 'recognizer'" in res.stdout and 'init_recognizer(' in res.stdout
    saved = torch.load(out, map_location='cpu', weights_only=True)
    assert set(saved['state_dict']) == {f'backbone.{k}' for k in expected}
    for k, v in expected.items():
        assert torch.equal(saved['state_dict'][f'backbone.{k}'], v), k
    meta = saved['meta']
    assert meta['format'] == 'recognizer' and meta['num_tensors'] == len(expected)
    assert meta['epoch'] == 1 and meta['source'] == osp.abspath(ckpt)
    assert meta['mmaction_backbone']['type'] == 'ResNet3d'
    assert meta['ssl_backbone']['type'] == 'ResNet3dSSL'


def test_export_then_recognizer_loads_every_tensor(ssl_checkpoint, tmp_path):
    """``--format backbone``: bare keys, as ``model.backbone.pretrained`` loads them."""
    ckpt, ssl_model = ssl_checkpoint
    out = str(tmp_path / 'backbone.pth')
    res = _run(EXPORT, ckpt, out, '--format', 'backbone')
    assert res.returncode == 0, res.stderr
    expected = {k: v for k, v in ssl_model.backbone.state_dict().items()}
    assert f'Wrote {len(expected)} backbone tensors' in res.stdout

    exported = torch.load(out, map_location='cpu', weights_only=True)['state_dict']
    assert set(exported) == set(expected)  # bare names, neck/loss dropped

    from mmengine.config import Config

    from vssl_mm.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, 'configs/benchmarks/finetune/r3d18_synthetic.py'))
    cfg.model.backbone.pretrained = out
    rec = MODELS.build(cfg.model)
    before = {k: v.clone() for k, v in rec.backbone.state_dict().items()}
    rec.init_weights()
    loaded = rec.backbone.state_dict()
    assert set(loaded) == set(expected)
    for k, v in expected.items():
        assert torch.equal(loaded[k], v), k
    # the weights really changed from the random init (not a no-op comparison)
    assert any(not torch.equal(before[k], loaded[k]) for k in before)


def test_load_from_full_checkpoint_also_loads(ssl_checkpoint):
    """``load_from=SSL_CKPT`` (the documented alternative) loads backbone.* too."""
    ckpt, ssl_model = ssl_checkpoint
    from mmengine.config import Config
    from mmengine.runner.checkpoint import load_checkpoint

    from vssl_mm.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, 'configs/benchmarks/linear_probe/r3d18_synthetic.py'))
    rec = MODELS.build(cfg.model)
    rec.init_weights()
    load_checkpoint(rec, ckpt, strict=False)
    for k, v in ssl_model.backbone.state_dict().items():
        assert torch.equal(rec.backbone.state_dict()[k], v), k


def test_export_refuses_checkpoint_without_backbone(tmp_path):
    bad = str(tmp_path / 'head_only.pth')
    torch.save(dict(state_dict={'cls_head.fc.weight': torch.zeros(2, 2)}), bad)
    out = str(tmp_path / 'out.pth')
    res = _run(EXPORT, bad, out)
    assert res.returncode != 0
    assert 'holds no backbone' in res.stderr and 'cls_head' in res.stderr
    assert not osp.exists(out)


def test_export_strips_ddp_prefix_and_drops_momentum_encoder():
    sys.path.insert(0, osp.dirname(EXPORT))
    from extract_backbone import NoBackboneError, extract_backbone
    sd = {
        'module.backbone.a': torch.ones(1),
        'module.key_backbone.a': torch.zeros(1),
        'momentum_backbone.a': torch.zeros(1),
        'neck.w': torch.zeros(1)
    }
    out, stats = extract_backbone(dict(state_dict=sd))
    assert list(out) == ['a'] and torch.equal(out['a'], torch.ones(1))
    assert stats == dict(written=1, dropped=3)
    with pytest.raises(NoBackboneError):
        extract_backbone(dict(state_dict={'neck.w': torch.zeros(1)}))
