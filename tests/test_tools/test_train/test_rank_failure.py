"""Item 7: when one rank raises, every rank exits non-zero within bounded time (a
two-rank gloo run where rank 1 raises in a hook at iteration 2)."""
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, free_port, synthetic_cfg_options

pytestmark = pytest.mark.slow

BOUND_S = 120  # seconds after start; a hang would last the gloo timeout (30 min)


def _failing_config(tmp_path):
    cfg = tmp_path / 'fail.py'
    cfg.write_text(f"_base_ = '{REPO}/configs/simclr/r3d18_synthetic.py'\n"
                   "custom_hooks = [dict(type='FailureInjectionHook', at_iter=2, rank=1)]\n")
    return str(cfg)


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    env.update(extra)
    return env


def test_torchrun_rank_failure_brings_all_ranks_down(synthetic_data, tmp_path):
    opts = synthetic_cfg_options(synthetic_data, str(tmp_path / 'w'),
                                 **{'train_dataloader.batch_size': 2})
    start = time.time()
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         _failing_config(tmp_path), '2'] + opts,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BOUND_S + 60,
        env=_env(PORT=str(free_port())))
    elapsed = time.time() - start
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and elapsed < BOUND_S
    assert 'RuntimeError: FailureInjectionHook: rank 1 raises at iteration 2' in log
    assert 'ChildFailedError' in log  # torchrun reports the failed rank, stops the other


def test_plain_processes_rank_failure_exits_all(synthetic_data, tmp_path):
    """Ranks started without torchrun's supervision (as srun / mpirun do): rank 0 must
    not hang in a collective when its peer dies."""
    opts = synthetic_cfg_options(synthetic_data, str(tmp_path / 'w'),
                                 **{'train_dataloader.batch_size': 2})
    port = str(free_port())
    procs = []
    start = time.time()
    for rank in (0, 1):
        env = _env(
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE='2',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=port)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable, 'tools/train.py',
                    _failing_config(tmp_path), '--launcher', 'pytorch'
                ] + opts,
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True))
    outs = []
    try:
        for p in procs:
            outs.append(p.communicate(timeout=max(1, BOUND_S + 30 - (time.time() - start)))[0])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    elapsed = time.time() - start
    assert elapsed < BOUND_S + 30
    assert procs[1].returncode != 0 and 'rank 1 raises at iteration 2' in outs[1]
    assert procs[0].returncode != 0, outs[0][-3000:]
    assert 'Connection closed by peer' in outs[0] or 'Connection reset' in outs[0], \
        outs[0][-3000:]
