"""Issue 20.5: paper configs whose positives / statistics come from the batch use SyncBN.

mlrep and ctrl_aug GPU configs request SyncBN (mlrep also ``sync_bn='torch'`` for the BN
layers built inside its heads); HDC's instance-norm models have no BatchNorm at all. On a
CPU-only machine the conversion to BN is reached (``tools/train.py`` one process and
``tools/dist_train.sh`` with 2 gloo ranks, where an unconverted SyncBN raises) and only
there: with CUDA present the config is left unchanged.
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import convert_sync_batchnorm
from mmengine.registry import DefaultScope

from tests.conftest import REPO, free_port, run_tool, synthetic_cfg_options
from vssl_mm.registry import MODELS
from vssl_mm.utils import compat


def _configs(method: str) -> list:
    paths = sorted(glob.glob(osp.join(REPO, 'configs', method, '*.py')))
    return [
        osp.relpath(p, REPO) for p in paths
        if not osp.basename(p).startswith('_') and 'synthetic' not in p
    ]


def _norm_types(node) -> list:
    """Every ``norm_cfg.type`` in a config tree."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == 'norm_cfg' and isinstance(v, dict):
                out.append(v.get('type'))
            else:
                out += _norm_types(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            out += _norm_types(v)
    return out


def _bn_kinds(model: nn.Module) -> set:
    return {
        type(m).__name__
        for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
    }


@pytest.fixture(autouse=True)
def _vssl_scope():
    """Build in vssl_mm's scope whatever an earlier test left as the default scope."""
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        yield


def _cfg(path: str) -> Config:
    return Config.fromfile(osp.join(REPO, path))


PAPER = _configs('mlrep') + _configs('ctrl_aug')


@pytest.mark.parametrize('path', PAPER)
def test_paper_configs_request_syncbn(path):
    cfg = _cfg(path)
    norms = _norm_types(cfg.model.backbone)
    assert norms and set(norms) == {'SyncBN'}, (path, norms)
    if path.startswith('configs/mlrep'):
        assert cfg.sync_bn == 'torch', path  # BN layers of the heads (no norm_cfg)


@pytest.mark.parametrize('method', ['mlrep', 'ctrl_aug'])
def test_cpu_synthetic_configs_keep_bn(method):
    for path in glob.glob(osp.join(REPO, 'configs', method, '*synthetic*.py')):
        cfg = Config.fromfile(path)
        assert 'SyncBN' not in _norm_types(cfg.model) and not cfg.get('sync_bn'), path


@pytest.mark.parametrize('path', [
    'configs/mlrep/r3d18_k400.py', 'configs/mlrep/slowfast_k400.py', 'configs/ctrl_aug/r3d18_ucf.py'
])
def test_gpu_model_has_only_syncbn(path):
    """As mmengine's Runner builds it when distributed: every BN is a SyncBatchNorm."""
    cfg = _cfg(path)
    model = MODELS.build(cfg.model)
    if cfg.get('sync_bn'):
        model = convert_sync_batchnorm(model, cfg.sync_bn)
    assert _bn_kinds(model) == {'SyncBatchNorm'}, _bn_kinds(model)


@pytest.mark.parametrize('path', _configs('hdc'))
def test_hdc_configs_have_no_batch_statistics(path):
    cfg = _cfg(path)
    assert set(_norm_types(cfg.model)) == {'IN3d'} and not cfg.get('sync_bn'), path


@pytest.mark.parametrize(
    'path', ['configs/hdc/r3d18_k400.py', 'configs/hdc/c3d_k400.py', 'configs/hdc/r21d10_k400.py'])
def test_hdc_models_have_no_batchnorm(path):
    assert _bn_kinds(MODELS.build(_cfg(path).model)) == set()


@pytest.mark.parametrize('path', [
    'configs/mlrep/r3d18_k400.py', 'configs/mlrep/slowfast_k400.py',
    'configs/ctrl_aug/r3d34_k400.py'
])
def test_conversion_only_on_cpu(path, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    gpu = compat.adapt_cfg_to_device(_cfg(path), 'pytorch')
    assert set(_norm_types(gpu.model)) == {'SyncBN'}  # nccl config left as it is
    assert 'model_wrapper_cfg' not in gpu
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cpu = compat.adapt_cfg_to_device(_cfg(path), 'pytorch')
    assert set(_norm_types(cpu.model)) == {'BN3d'} and not cpu.get('sync_bn')
    assert _bn_kinds(MODELS.build(cpu.model)) <= {'BatchNorm3d', 'BatchNorm1d'}


def _syncbn_run(synthetic_data, wd, dist: bool):
    cfg = 'configs/mlrep/r3d18_synthetic.py'
    opts = synthetic_cfg_options(
        synthetic_data, wd, **{
            'model.backbone.norm_cfg.type': 'SyncBN',
            'sync_bn': 'torch',
            'train_dataloader.dataset.indices': 8
        })
    if dist:
        return run_tool(
            ['bash', 'tools/dist_train.sh', cfg, '2'] + opts, env_extra=dict(PORT=str(free_port())))
    return run_tool(['tools/train.py', cfg] + opts)


@pytest.mark.slow
def test_cpu_training_reaches_the_conversion(synthetic_data, tmp_path):
    """The paper-style request (SyncBN backbone + sync_bn) trains on CPU: one process
    (mmengine reverts SyncBN) and 2 gloo ranks (SyncBN would raise on CPU tensors)."""
    if torch.cuda.is_available():
        pytest.skip('CUDA present: SyncBN is kept for nccl')
    one = _syncbn_run(synthetic_data, str(tmp_path / 'one'), dist=False)
    assert 'reverted to BatchNormXd' in one.stdout + one.stderr
    wd = str(tmp_path / 'dist')
    proc = _syncbn_run(synthetic_data, wd, dist=True)
    assert 'Epoch(train) [1][1/1]' in proc.stdout + proc.stderr
    dumped = Config.fromfile(osp.join(wd, 'r3d18_synthetic.py'))
    assert dumped.model.backbone.norm_cfg.type == 'BN3d' and dumped.sync_bn is None
