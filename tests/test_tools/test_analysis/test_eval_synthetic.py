"""tools/analysis/eval_synthetic.py: pretrained against random-init figures of one checkpoint."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO, run_tool
from vssl_mm.registry import MODELS
from vssl_mm.utils import register_all_modules

CONFIG = osp.join(REPO, 'configs/simclr/r3d18_synthetic.py')


def _rows(stdout: str) -> dict:
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 4 and cells[0] and not cells[0].startswith(('-', 'backbone')):
            rows[cells[0]] = tuple(float(c) for c in cells[1:])
    return rows


def _random_extractor(seed: int):
    """The config's backbone in a ``VideoFeatureExtractor``, initialised under ``seed``
    (as the tool builds its random-init rows)."""
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='VideoFeatureExtractor',
            backbone=cfg.model.backbone,
            data_preprocessor=cfg.model.data_preprocessor))
    model.init_weights()
    return model


@pytest.mark.slow
def test_random_init_checkpoint_reproduces_seed_row(synthetic_data, tmp_path):
    """A checkpoint of the seed-1 random init, loaded into the seed-0-built pretrained
    model, gives exactly the val features and figures of the 'random s1' row; the mean
    row is the mean of the seed rows."""
    model = _random_extractor(seed=1)
    ckpt = str(tmp_path / 'random_s1.pth')
    torch.save({'state_dict': model.state_dict()}, ckpt)

    proc = run_tool([
        'tools/analysis/eval_synthetic.py', CONFIG, ckpt, '--data-root', synthetic_data['root'],
        '--num-clips', '2', '--random-seeds', '0', '1', '--json',
        str(tmp_path / 'rows.json')
    ])
    rows = _rows(proc.stdout)
    assert set(rows) == {'pretrained', 'random s0', 'random s1', 'random mean'}, proc.stdout
    assert rows['pretrained'] == rows['random s1']
    dumped = {r['backbone']: r for r in json.load(open(tmp_path / 'rows.json'))}
    sums = {k: dumped[k]['val_feature_checksum'] for k in ('pretrained', 'random s0', 'random s1')}
    assert sums['pretrained'] == sums['random s1'] != sums['random s0']
    for i in range(3):
        mean = (rows['random s0'][i] + rows['random s1'][i]) / 2
        assert abs(rows['random mean'][i] - mean) < 0.051
    assert 'Initialized by' not in proc.stdout  # init report kept off the table


def _load_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'eval_synthetic', osp.join(REPO, 'tools/analysis/eval_synthetic.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_recalibrate_bn_is_the_exact_average_over_videos():
    """Every BN's running mean/var become the mean of its per-video batch statistics
    (equal batch sizes), whatever they were before; the model ends in eval mode."""
    from mmaction.structures import ActionDataSample
    tool = _load_tool()
    model = _random_extractor(seed=0)
    bn = model.backbone.conv1.bn
    bn.running_mean.fill_(5.0)  # stale statistics must not leak into the result
    bn.num_batches_tracked.fill_(10)
    seen = []
    bn.register_forward_hook(lambda m, i, o: seen.append(i[0].detach().clone()))
    g = torch.Generator().manual_seed(0)
    ds = [
        dict(
            inputs=torch.randint(0, 256, (2, 3, 8, 32, 32), generator=g, dtype=torch.uint8),
            data_samples=ActionDataSample()) for _ in range(3)
    ]
    num_bn = sum(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    assert num_bn > 1 and tool.recalibrate_bn(model, ds) == num_bn
    assert not model.training
    assert len(seen) == 3
    means = torch.stack([x.mean(dim=(0, 2, 3, 4)) for x in seen])
    variances = torch.stack([x.transpose(0, 1).flatten(1).var(1, unbiased=True) for x in seen])
    torch.testing.assert_close(bn.running_mean, means.mean(0), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(bn.running_var, variances.mean(0), rtol=1e-4, atol=1e-5)
