"""Item 4: atomic checkpoint writes (a real SIGKILL during a save), a failure in the
middle of a write, and a pickled-call checkpoint refused by tools/train.py --resume."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.runner import CheckpointLoader
from mmengine.runner.checkpoint import save_checkpoint

from tests.conftest import REPO
from vssl_mm.engine.hooks.reliability import get_rng_state, set_rng_state
from vssl_mm.utils import compat


def _load(path):
    return CheckpointLoader.load_checkpoint(path, map_location='cpu')


@pytest.mark.slow
def test_sigkill_during_save_leaves_a_loadable_checkpoint(tmp_path):
    path = str(tmp_path / 'latest.pth')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    mid_save = 0
    for trial, delay in enumerate((0.0, 0.03, 0.1)):
        proc = subprocess.Popen([
            sys.executable, osp.join(REPO, 'tests/test_utils/ckpt_writer.py'), path
        ],
                                stdout=subprocess.PIPE,
                                text=True,
                                env=env)
        lines = []
        # wait until a save is under way on top of an existing checkpoint
        while True:
            lines.append(proc.stdout.readline().strip())
            started = lines[-1].startswith('start')
            if started and (trial or int(lines[-1].split()[1]) > 1 or osp.exists(path)):
                break
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        lines += [x.strip() for x in proc.stdout.read().split('\n') if x.strip()]
        mid_save += lines[-1].startswith('start')  # killed between start and saved
        ckpt = _load(path)  # never truncated: the previous or the new complete file
        step = ckpt['meta']['step']
        assert torch.all(ckpt['state_dict']['w'] == float(step))
        assert ckpt['state_dict']['w'].numel() == 16 * 1024 * 1024
    assert mid_save >= 1  # at least one kill landed inside a save


def test_failure_mid_write_keeps_previous(tmp_path, monkeypatch):
    path = str(tmp_path / 'epoch_1.pth')
    save_checkpoint({'state_dict': {'w': torch.ones(3)}}, path)

    def broken_fsync(fd):  # the disk fills up after part of the bytes were written
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError, match='No space left'):
        save_checkpoint({'state_dict': {'w': torch.zeros(3)}}, path)
    assert torch.equal(_load(path)['state_dict']['w'], torch.ones(3))
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # temporary file removed


@pytest.mark.slow
def test_unpatched_write_would_truncate(tmp_path):
    """The failure is real: mmengine's own put leaves a truncated file when the write
    stops half way (here: a write limited by RLIMIT_FSIZE in a child process)."""
    path = str(tmp_path / 'epoch_1.pth')
    code = f'''
import io, resource, signal, sys, torch
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
if sys.argv[1] == 'patched':
    import vssl_mm  # noqa
from mmengine.fileio.backends.local_backend import LocalBackend
buf = io.BytesIO(); torch.save({{'state_dict': {{'w': torch.ones(3)}}}}, buf)
LocalBackend().put(buf.getvalue(), {path!r})
big = io.BytesIO(); torch.save({{'state_dict': {{'w': torch.zeros(1 << 20)}}}}, big)
resource.setrlimit(resource.RLIMIT_FSIZE, (100000, 100000))
LocalBackend().put(big.getvalue(), {path!r})
'''
    for mode in ('orig', 'patched'):
        proc = subprocess.run([sys.executable, '-c', code, mode],
                              capture_output=True,
                              text=True,
                              env=dict(os.environ, PYTHONPATH=REPO))
        assert proc.returncode != 0 and 'File too large' in proc.stderr, proc.stderr[-500:]
        if mode == 'orig':
            assert os.path.getsize(path) == 100000
            with pytest.raises(Exception):
                _load(path)
        else:
            assert torch.equal(_load(path)['state_dict']['w'], torch.ones(3))


class _Evil:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.mark.slow
def test_resume_from_pickled_call_is_refused(synthetic_data, tmp_path):
    marker = tmp_path / 'pwned'
    ckpt = str(tmp_path / 'epoch_1.pth')
    torch.save({'state_dict': {}, 'meta': {'epoch': 1, 'x': _Evil(str(marker))}}, ckpt)
    proc = subprocess.run([
        sys.executable, 'tools/train.py', 'configs/simclr/r3d18_synthetic.py', '--resume', ckpt,
        '--cfg-options', f'train_dataloader.dataset.ann_file={synthetic_data["train"]}',
        f'train_dataloader.dataset.data_prefix.video={synthetic_data["root"]}',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        f'work_dir={tmp_path / "work"}'
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env=dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1'))
    assert proc.returncode != 0
    assert 'UnsafeCheckpointError' in proc.stderr and ckpt in proc.stderr
    assert not marker.exists()  # the call never ran


def test_rng_state_round_trips_under_weights_only(tmp_path):
    import random

    import numpy as np
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    state = get_rng_state()
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    path = str(tmp_path / 'c.pth')
    save_checkpoint({'rng_state': state}, path)
    loaded = compat.safe_torch_load(path)['rng_state']  # weights_only=True
    random.seed(9), np.random.seed(9), torch.manual_seed(9)
    set_rng_state(loaded)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_empty_last_checkpoint_falls_back_to_newest(tmp_path):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    import train
    for n in (1, 2, 10):
        save_checkpoint({'meta': {'epoch': n}}, str(tmp_path / f'epoch_{n}.pth'))
    (tmp_path / 'last_checkpoint').write_text('')  # killed while mmengine wrote it
    train._repair_last_checkpoint(str(tmp_path))
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    train._repair_last_checkpoint(str(tmp_path))  # a valid one is left alone
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_2.pth')
