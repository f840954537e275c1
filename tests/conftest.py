"""Shared fixtures: a tiny synthetic video dataset written once per test session."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

import vssl_mm  # noqa: F401  (stack fixes before anything imports mmaction.models)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def synthetic_data(tmp_path_factory):
    """16 train / 8 val real mp4 videos (8 motion classes), 32 frames at 64x64."""
    from vssl_mm.datasets import make_synthetic_dataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    return make_synthetic_dataset(
        root,
        num_train_per_class=2,
        num_val_per_class=1,
        num_frames=32,
        height=64,
        width=64,
        seed=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_tool(args, cwd=REPO, env_extra=None, timeout=600) -> subprocess.CompletedProcess:
    """Run a repo tool as a user would; fail the test with its output on error."""
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    if env_extra:
        env.update(env_extra)
    cmd = args if args[0] == 'bash' else [sys.executable] + list(args)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f'{" ".join(map(str, cmd))} failed ({proc.returncode}):\n'
                    f'{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc


def synthetic_cfg_options(data: dict, work_dir: str, **extra) -> list:
    """--cfg-options pointing a synthetic config at the test dataset, tiny and fast."""
    opts = {
        'train_dataloader.dataset.ann_file': data['train'],
        'train_dataloader.dataset.data_prefix.video': data['root'],
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.batch_size': 4,
        'train_cfg.max_epochs': 1,
        'default_hooks.logger.interval': 1,
        'work_dir': work_dir,
    }
    opts.update(extra)
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()]


def randomize_state(model, seed: int = 0) -> None:
    """Random weights and BN statistics in place (running_var in [0.5, 1.5), the rest
    N(0, 0.1)): an init with zeroed residual gammas would make comparisons trivially
    equal."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                if name.endswith('running_var'):
                    t.copy_(torch.rand(t.shape, generator=g) + 0.5)
                else:
                    t.copy_(torch.randn(t.shape, generator=g) * 0.1)


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    from vssl_mm.datasets import make_synthetic_dataset
    root = tmp_path_factory.mktemp('synthetic')
    make_synthetic_dataset(
        str(root), num_train_per_class=2, num_val_per_class=1, num_frames=32, height=64, width=64)
    return str(root)


@pytest.fixture(scope='session')
def ssl_checkpoint(tmp_path_factory):
    """A ClipContrast checkpoint (mmengine layout) with non-default backbone weights."""
    from tests.checkpoints import SIMCLR, build_model, perturb
    torch.manual_seed(1)
    model = perturb(build_model(SIMCLR), seed=None)
    path = str(tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path, model
