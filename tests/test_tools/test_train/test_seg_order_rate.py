"""End to end on CPU: tools/train.py and tools/dist_train.sh on tiny synthetic videos."""
import glob
import os
import socket
import subprocess
import sys

import pytest
import torch

from tests.conftest import REPO

pytestmark = pytest.mark.slow

ROOT = REPO
CFG = 'configs/seg_order_rate/r21d_synthetic.py'


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    from vssl_mm.datasets import make_synthetic_dataset
    d = tmp_path_factory.mktemp('syn')
    return make_synthetic_dataset(
        str(d), num_train_per_class=1, num_val_per_class=0, num_frames=48, height=64, width=64)


def _opts(data, **extra):
    opts = {
        'train_dataloader.dataset.ann_file': data['train'],
        'train_dataloader.dataset.data_prefix.video': data['root'],
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 1,
        'train_cfg.max_epochs': 1,
    }
    opts.update(extra)
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()]


def _run(cmd, env_extra=None):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    env.update(env_extra or {})
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _load(path):
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(path, map_location='cpu')['state_dict']


def _log_text(work_dir):
    return '\n'.join(open(f).read() for f in glob.glob(f'{work_dir}/*/*.log'))


def test_train_and_resume_keeps_queue(data, tmp_path):
    wd = str(tmp_path / 'wd')
    _run([sys.executable, 'tools/train.py', CFG, '--work-dir', wd] + _opts(data))
    log = _log_text(wd)
    for key in ('loss_order', 'loss_rate', 'loss_contrast', 'acc_order', 'acc_contrast'):
        assert key in log
    s1 = _load(f'{wd}/epoch_1.pth')
    assert s1['queue.ptr'].item() == 8  # 2 iterations x 4 keys
    _run([sys.executable, 'tools/train.py', CFG, '--work-dir', wd, '--resume'] +
         _opts(data, **{'train_cfg.max_epochs': 2}))
    s2 = _load(f'{wd}/epoch_2.pth')
    assert s2['queue.ptr'].item() == 16  # continued from the resumed pointer
    torch.testing.assert_close(s2['queue.queue'][:8], s1['queue.queue'][:8])
    assert not torch.equal(s2['queue.queue'][8:16], s1['queue.queue'][8:16])


def test_view_synthesis_stage_then_frozen_generator(data, tmp_path):
    vs = str(tmp_path / 'vs')
    _run([
        sys.executable, 'tools/train.py', 'configs/seg_order_rate/view_synthesis_synthetic.py',
        '--work-dir', vs
    ] + _opts(data))
    assert 'loss_infomax' in _log_text(vs) and 'loss_photo' in _log_text(vs)
    gen = {
        k[len('generator.'):]: v
        for k, v in _load(f'{vs}/epoch_1.pth').items() if k.startswith('generator.')
    }
    assert gen
    wd = str(tmp_path / 'wdv')
    _run([
        sys.executable, 'tools/train.py', 'configs/seg_order_rate/r21d_synthetic_view.py',
        '--work-dir', wd
    ] + _opts(data, **{'model.view_generator_ckpt': f'{vs}/epoch_1.pth'}))
    assert 'key_synth_ratio' in _log_text(wd)
    main = _load(f'{wd}/epoch_1.pth')
    for k, v in gen.items():  # loaded, and frozen through training (BN stats too)
        torch.testing.assert_close(main['view_generator.' + k], v, rtol=0, atol=0)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_rank_dist_train(data, tmp_path):
    wd = str(tmp_path / 'dist')
    _run(
        ['bash', 'tools/dist_train.sh', CFG, '2', '--work-dir', wd] +
        _opts(data, **{'train_cfg.max_epochs': 2}),
        env_extra=dict(PORT=str(_free_port())))
    s = _load(f'{wd}/epoch_2.pth')
    # 2 iterations x 2 ranks x 4 keys, gathered before enqueue
    assert s['queue.ptr'].item() == 16
