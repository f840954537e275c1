"""`mim train` / `mim test` on the packaged configs and tools (skipped without openmim).

The repository is installed (regular, not editable: see docs/tutorials/mim.md) into a
fresh virtual environment that sees the machine's packages, and mim is run from outside
the checkout, so configs and tools can only come from ``vssl_mm/.mim``.
"""
import glob
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

if importlib.util.find_spec('mim') is None:
    pytest.skip('openmim is not installed', allow_module_level=True)


def IGNORE(folder, names):
    """What a source checkout would not hold (build outputs, local data, tests)."""
    skip = {'.git', '.mim', '__pycache__', '_build', '.benchmarks'}
    if osp.abspath(folder) == REPO:
        skip |= {'build', 'dist', 'work_dirs', 'data', 'tests'}
    return {n for n in names if n in skip or n.endswith('.egg-info')}


def _run(cmd, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['OMP_NUM_THREADS'] = '1'
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f'{" ".join(cmd)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def venv_python(tmp_path_factory):
    root = tmp_path_factory.mktemp('mim_env')
    src = root / 'src'
    shutil.copytree(REPO, src, ignore=IGNORE)
    _run([sys.executable, '-m', 'venv', '--system-site-packages', str(root / 'venv')], root)
    python = str(root / 'venv' / 'bin' / 'python')
    # openmim 0.3.9 imports pkg_resources, which setuptools >= 81 no longer ships
    if subprocess.run([python, '-c', 'import pkg_resources']).returncode != 0:
        _run([python, '-m', 'pip', 'install', '-q', 'setuptools<81'], root)
    _run([python, '-m', 'pip', 'install', '-q', '--no-deps', str(src)], root)
    return python


def test_package_ships_mim_files(venv_python, tmp_path):
    out = _run([
        venv_python, '-c', 'from mim.utils import get_installed_path; '
        'print(get_installed_path("vssl_mm"))'
    ], tmp_path)
    pkg = out.strip().splitlines()[-1]
    assert 'venv' in pkg and osp.isdir(pkg)
    assert osp.isfile(osp.join(pkg, '.mim', 'model-index.yml'))
    assert osp.isfile(osp.join(pkg, '.mim', 'tools', 'train.py'))
    assert osp.isfile(osp.join(pkg, '.mim', 'configs', 'hdc', 'metafile.yml'))
    shipped = {
        osp.relpath(p, osp.join(pkg, '.mim'))
        for p in glob.glob(osp.join(pkg, '.mim', 'configs', '**', '*.py'), recursive=True)
    }
    in_repo = {
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    }
    assert shipped == in_repo
    # the model zoo metadata as mim reads it
    out = _run([venv_python, '-m', 'mim', 'search', 'vssl_mm'], tmp_path)
    for name in ('hdc_r3d18_k400', 'ctrl_aug_r3d18_ucf_150e'):
        assert f'config id: {name}' in out


def test_mim_train_and_test(venv_python, synthetic_data, tmp_path):
    work = str(tmp_path / 'work')
    out = _run(
        [
            venv_python,
            '-m',
            'mim',
            'train',
            'vssl_mm',
            'simclr_r3d18_synthetic_t05.py',  # found by name in vssl_mm/.mim
            '--work-dir',
            work,
            '--cfg-options',
            f'train_dataloader.dataset.ann_file={synthetic_data["train"]}',
            f'train_dataloader.dataset.data_prefix.video={synthetic_data["root"]}',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'train_dataloader.batch_size=4',
            'train_cfg.max_epochs=1',
            'default_hooks.logger.interval=1'
        ],
        tmp_path)
    assert osp.join('.mim', 'tools', 'train.py') in out
    assert osp.join('.mim', 'configs', 'tutorials') in out
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    rows = []
    for f in glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')):
        rows += [json.loads(line) for line in open(f) if line.strip()]
    assert len([r for r in rows if 'loss_nce' in r]) == 4

    config = osp.join(REPO, 'configs', 'benchmarks', 'retrieval', 'r3d18_synthetic.py')
    out = _run([
        venv_python, '-m', 'mim', 'test', 'vssl_mm', config, '--checkpoint', ckpt, '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        f'test_dataloader.dataset.ann_file={synthetic_data["val"]}',
        f'test_dataloader.dataset.gallery_ann_file={synthetic_data["train"]}',
        f'test_dataloader.dataset.data_prefix.video={synthetic_data["root"]}',
        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False'
    ], tmp_path)
    assert osp.join('.mim', 'tools', 'test.py') in out
    assert 'retrieval/R@1' in out and '8 queries, 16 gallery videos' in out
