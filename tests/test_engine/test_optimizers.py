"""vssl_mm.engine.optimizers: FusedOptimWrapperConstructor (the fused Adam/SGD step equals
torch's per-parameter loop) and CPUAmpOptimWrapper."""
import copy
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from tests.conftest import REPO
from vssl_mm.utils import register_all_modules


def _model() -> nn.Module:
    # no conv bias before BN: its gradient is rounding noise, which Adam's g/sqrt(v)
    # turns into lr-sized steps of arbitrary sign (ill-posed to compare)
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv3d(3, 8, 3, bias=False), nn.BatchNorm3d(8), nn.ReLU(), nn.Flatten(),
        nn.LazyLinear(5))


def _train(optim_cfg: dict, steps: int = 4) -> tuple:
    register_all_modules(init_default_scope=True)
    model = _model()
    x = torch.randn(2, 3, 4, 6, 6)
    model(x)  # materialise the lazy layer
    model.load_state_dict(_reference_state)
    ow = build_optim_wrapper(model, copy.deepcopy(optim_cfg))
    torch.manual_seed(1)
    for _ in range(steps):
        loss = model(torch.randn(2, 3, 4, 6, 6)).square().mean()
        ow.update_params(loss)
    return model, ow


_m = _model()
_m(torch.randn(2, 3, 4, 6, 6))
_reference_state = copy.deepcopy(_m.state_dict())


@pytest.mark.parametrize('optimizer', [
    dict(type='Adam', lr=1e-2, weight_decay=1e-5),
    dict(type='AdamW', lr=1e-2, weight_decay=1e-2),
    dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
])
def test_fused_step_matches_loop(optimizer):
    loop, ow_loop = _train(dict(type='OptimWrapper', optimizer=dict(optimizer, foreach=False)))
    fused, ow_fused = _train(
        dict(type='OptimWrapper', constructor='FusedOptimWrapperConstructor', optimizer=optimizer))
    assert ow_fused.optimizer.defaults['fused'] is True
    assert not ow_loop.optimizer.defaults.get('fused')
    moved = 0.0
    for (name, a), b, r in zip(loop.state_dict().items(),
                               fused.state_dict().values(), _reference_state.values()):
        if a.is_floating_point():
            torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6, msg=name)
            moved = max(moved, float((a - r).abs().max()))
    assert moved > 1e-4  # the steps did change the parameters


def test_fused_respects_explicit_choice_and_other_optimizers():
    register_all_modules(init_default_scope=True)
    model = _model()
    model(torch.randn(2, 3, 4, 6, 6))
    ow = build_optim_wrapper(
        model,
        dict(
            type='OptimWrapper',
            constructor='FusedOptimWrapperConstructor',
            optimizer=dict(type='Adam', lr=1e-3, foreach=False)))
    assert not ow.optimizer.defaults.get('fused')
    ow = build_optim_wrapper(
        model,
        dict(
            type='OptimWrapper',
            constructor='FusedOptimWrapperConstructor',
            optimizer=dict(type='RMSprop', lr=1e-3)))
    assert isinstance(ow.optimizer, torch.optim.RMSprop)


@pytest.mark.parametrize('config', [
    'configs/mlrep/r3d18_ucf.py', 'configs/ctrl_aug/r3d18_ucf.py', 'configs/hdc/r3d18_ucf.py',
    'configs/seg_order_rate/r21d_ucf.py'
])
def test_method_configs_use_fused_step(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.optim_wrapper.constructor == 'FusedOptimWrapperConstructor'


def test_cpu_amp_optim_wrapper_autocasts_bf16():
    from vssl_mm.engine.optimizers import CPUAmpOptimWrapper, amp_optim_wrapper_type
    model = torch.nn.Linear(4, 3)
    ow = CPUAmpOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with ow.optim_context(model):
        y = model(torch.randn(2, 4))
    assert y.dtype == torch.bfloat16
    before = model.weight.detach().clone()
    ow.update_params(y.float().sum())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(before, model.weight)
    assert amp_optim_wrapper_type('cpu') == 'CPUAmpOptimWrapper'
    assert amp_optim_wrapper_type('cuda') == 'AmpOptimWrapper'
