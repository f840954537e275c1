"""tools/train.py --amp on CPU and activation checkpointing, one step of every method."""

import os.path as osp
import re

import numpy as np
import pytest

from tests.conftest import run_tool, synthetic_cfg_options

pytestmark = pytest.mark.slow

SYNTHETIC = {
    'simclr': 'configs/simclr/r3d18_synthetic.py',
    'seg_order_rate': 'configs/seg_order_rate/r21d_synthetic.py',
    'hdc': 'configs/hdc/r3d18_synthetic.py',
    'mlrep': 'configs/mlrep/r3d18_synthetic.py',
    'ctrl_aug': 'configs/ctrl_aug/r3d18_synthetic.py',
}

# ctrl_aug_collate needs whole groups of samples_per_level: a batch of 2 is one level of 2
LEVEL_GROUPS = {'ctrl_aug': {'train_dataloader.collate_fn.samples_per_level': 2}}


def _one_step_options(synthetic_data, work_dir, **extra):
    opts = dict(extra)
    opts.update({
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.indices': 2
    })  # one iteration
    return synthetic_cfg_options(synthetic_data, work_dir, **opts)


def _losses_in_log(out: str):
    vals = [float(v) for v in re.findall(r'\bloss: ([-\d.na]+)', out)]
    assert vals, out[-3000:]
    assert all(np.isfinite(vals)), vals
    return vals


@pytest.mark.parametrize('method', sorted(SYNTHETIC))
def test_amp_step_cpu(method, synthetic_data, tmp_path):
    work = str(tmp_path / 'amp')
    proc = run_tool(['tools/train.py', SYNTHETIC[method], '--amp'] +
                    _one_step_options(synthetic_data, work, **LEVEL_GROUPS.get(method, {})))
    _losses_in_log(proc.stdout + proc.stderr)
    dumped = open(osp.join(work, osp.basename(SYNTHETIC[method]))).read()
    assert 'CPUAmpOptimWrapper' in dumped


@pytest.mark.parametrize('method', sorted(SYNTHETIC))
def test_with_cp_step(method, synthetic_data, tmp_path):
    work = str(tmp_path / 'cp')
    proc = run_tool(['tools/train.py', SYNTHETIC[method]] + _one_step_options(
        synthetic_data, work, **{'model.backbone.with_cp': True}, **LEVEL_GROUPS.get(method, {})))
    _losses_in_log(proc.stdout + proc.stderr)
    dumped = open(osp.join(work, osp.basename(SYNTHETIC[method]))).read()
    assert re.search(r'with_cp\s*=\s*True', dumped)
