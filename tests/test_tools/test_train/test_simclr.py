"""End to end through the user's tools: train, two-rank training (gloo), exact resume."""
import glob
import json
import os.path as osp
import re

import pytest
import torch
from mmengine.runner import CheckpointLoader

from tests.conftest import free_port, run_tool, synthetic_cfg_options

pytestmark = pytest.mark.slow

CONFIG = 'configs/simclr/r3d18_synthetic.py'


def _scalars(work_dir):
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    rows = []
    for f in files:
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if 'loss' in r]


def test_train_writes_checkpoint(synthetic_data, tmp_path):
    work = str(tmp_path / 'work')
    run_tool(['tools/train.py', CONFIG] + synthetic_cfg_options(synthetic_data, work))
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    state = CheckpointLoader.load_checkpoint(ckpt, map_location='cpu')['state_dict']
    assert any(k.startswith('backbone.') for k in state)
    rows = _scalars(work)
    assert len(rows) == 4 and all(torch.isfinite(torch.tensor(r['loss_nce'])) for r in rows)


def test_dist_train_two_ranks_gloo(synthetic_data, tmp_path):
    work = str(tmp_path / 'work')
    opts = synthetic_cfg_options(synthetic_data, work)  # RankConsistencyHook is on
    proc = run_tool(
        ['bash', 'tools/dist_train.sh', CONFIG, '2'] + opts, env_extra={'PORT': str(free_port())})
    log = proc.stdout + proc.stderr
    assert 'parameters identical on 2 ranks' in log
    # the loss of each rank saw the global batch: 2 ranks x 4 clips as candidates
    cands = {float(m) for m in re.findall(r'nce_candidates: ([0-9.]+)', log)}
    assert cands == {8.0}
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))


def test_resume_matches_uninterrupted_run(synthetic_data, tmp_path):
    full, part = str(tmp_path / 'full'), str(tmp_path / 'part')
    run_tool(['tools/train.py', CONFIG, '--deterministic'] +
             synthetic_cfg_options(synthetic_data, full, **{'train_cfg.max_epochs': 2}))
    run_tool(['tools/train.py', CONFIG, '--deterministic'] +
             synthetic_cfg_options(synthetic_data, part, **{'train_cfg.max_epochs': 1}))
    run_tool(['tools/train.py', CONFIG, '--deterministic', '--resume'] +
             synthetic_cfg_options(synthetic_data, part, **{'train_cfg.max_epochs': 2}))
    a = CheckpointLoader.load_checkpoint(osp.join(full, 'epoch_2.pth'), 'cpu')
    b = CheckpointLoader.load_checkpoint(osp.join(part, 'epoch_2.pth'), 'cpu')
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for k in a['state_dict']:
        assert torch.equal(a['state_dict'][k], b['state_dict'][k]), k
    la = [r['loss_nce'] for r in _scalars(full)]
    lb = [r['loss_nce'] for r in _scalars(part)]
    assert len(la) == 8 and la == lb
