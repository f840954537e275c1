"""Issue 20.7: GPU readiness without a GPU.

No GPU has run this code, so every method's training step is run here with the model and
its inputs on a device other than the CPU, where a tensor created without the device of
its inputs (``torch.arange(n)`` instead of ``torch.arange(n, device=x.device)``, a CPU
random draw, a CPU buffer, a label tensor never moved) meets device tensors and raises,
as it would on a GPU. Two devices:

1. ``meta`` (PyTorch's own device checks; no values, no compute, so it is fast).
   ``test_train_step_on_meta``: for ClipContrast, HDC, SegOrderRate, the ViewSynthesis
   stage, MLRep (stage 1 and stage 2), CtrlAug and TutorialArrowOfTime, a model built
   from the method's synthetic config (widths, depth and clips shrunk) is moved with
   ``.to('meta')`` (which also points the data preprocessor at meta); the CPU batch as
   the dataloader collates it (ctrl_aug: through ``ctrl_aug_collate``) goes through the
   data preprocessor, ``model(..., mode='loss')``, ``parse_losses``, ``backward`` and an
   SGD step. Every returned tensor and every gradient must be on meta, and every
   trainable parameter must get a gradient (so DDP's default
   ``find_unused_parameters=False``, which mmengine uses on GPUs, is right).
   Meta cannot run what reads values on the host (``.item()``, ``bool(tensor)``,
   ``nonzero``, data-dependent shapes). Those parts are switched off in the meta
   variant and covered by 2.: SegOrderRate's frozen view generator (``synth.any()`` picks
   the rows it runs on), MLRep's prototype queue (the filled length slices it) and the
   ``'shuffle'`` transform (its identity check), CtrlAug's L_mi (the same-level-pair
   check names ranks and levels; ``mine_lower_bound`` tests for empty masks).
2. ``meta`` with values (:class:`OnDevice`): a tensor subclass that reports
   ``device='meta'`` and carries CPU values, with a dispatch mode that runs every op on
   the values and raises :class:`DeviceMix` when a CPU tensor that is not a 0-dim scalar
   meets such tensors (the rule CUDA kernels apply; CPU 0-dim scalars are allowed there
   too). Factory calls with ``device=x.device`` land on it; calls without a device make
   CPU tensors. ``test_train_step_on_device_with_values`` runs the full synthetic
   configs (view generator on, MLRep with queue and shuffle over two steps: stage 1
   then stage 2 with the queue read, CtrlAug with L_mi) with the same checks, and also
   asserts that no random draw of the step is made on the CPU (on a GPU it would come
   from the CPU generator and be copied over).

``test_*_is_caught``: the checks fail when a ``device=`` is dropped or a logged value is
left on the CPU. Hooks: the collectives of ``RankConsistencyHook`` and of the reliability
hooks run on the backend's device (nccl takes CUDA tensors only), checked with a mocked
process group; ``RNGStateHook`` saves and restores the CUDA generator when there is one.
nccl-only settings: ``tools/train.py --amp --launcher pytorch`` keeps the paper configs'
SyncBN, nccl, mmengine's DDP wrapper and builds ``AmpOptimWrapper`` (fp16 with a dynamic
``GradScaler``) when CUDA is present, and converts to BN / gloo / CPU DDP /
``CPUAmpOptimWrapper`` (bf16, no scaler) only without it. Not covered: the optimizer
step of the fused Adam the configs use (plain SGD here), the convolution algorithms of
cuDNN, and fp16 autocast on CUDA (CPU bf16 autocast steps are in
``tests/test_perf/test_perf_tools.py``).
"""
import argparse
import contextlib
import importlib.util
import os.path as osp
import traceback
import warnings
from types import SimpleNamespace
from typing import Dict, List
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode, return_and_correct_aliasing
from torch.utils._pytree import tree_leaves, tree_map

import vssl_mm  # noqa: F401
from vssl_mm.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
META = torch.device('meta')


@pytest.fixture(autouse=True)
def _vssl_scope():
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        yield


# ---------------------------------------------------------------------- meta with values
class DeviceMix(RuntimeError):
    """A CPU tensor (not a 0-dim scalar) met tensors of the device."""


class OnDevice(torch.Tensor):
    """CPU values behind a tensor whose ``device`` is ``meta``."""

    @staticmethod
    def __new__(cls, elem: torch.Tensor):
        assert type(elem) is torch.Tensor and elem.device.type == 'cpu', elem.device
        out = torch.Tensor._make_wrapper_subclass(
            cls,
            elem.shape,
            strides=elem.stride(),
            storage_offset=elem.storage_offset(),
            dtype=elem.dtype,
            layout=elem.layout,
            device=META,
            requires_grad=elem.requires_grad)
        out.elem = elem
        return out

    def __repr__(self) -> str:
        return f'OnDevice({self.elem!r})'

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {}, None)


def _is_meta(x) -> bool:
    return (isinstance(x, torch.device) and x.type == 'meta') or (isinstance(x, str)
                                                                  and x == 'meta')


_RANDOM_OPS = ('rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli', 'uniform',
               'multinomial', 'exponential', 'native_dropout')


def _caller() -> str:
    frames = [f for f in traceback.extract_stack() if '/vssl_mm/' in f.filename]
    return f'{frames[-1].filename.split("/vssl_mm/")[-1]}:{frames[-1].lineno}' \
        if frames else '?'


def _run(func, args, kwargs, mode):
    """Run ``func`` on the values; wrap the results if any input (or ``device=``) is meta."""
    tensors = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
    on = [t for t in tensors if type(t) is OnDevice]
    cpu = [t for t in tensors if type(t) is not OnDevice and t.device.type == 'cpu']
    if any(type(t) is not OnDevice and t.device.type == 'meta' for t in tensors):
        raise AssertionError(f'{func}: a meta tensor without values ({_caller()})')
    if on and any(t.dim() > 0 for t in cpu):
        raise DeviceMix(f'{func}: CPU tensor(s) {[tuple(t.shape) for t in cpu]} mixed '
                        f'with device tensors, at {_caller()}')
    device = kwargs.get('device', None)
    to_dev = bool(on) or (device is not None and _is_meta(device))
    if device is not None and not _is_meta(device):
        to_dev = False  # an explicit copy to the CPU (.cpu(), .to('cpu'))

    def unwrap(x):
        if type(x) is OnDevice:
            return x.elem
        return torch.device('cpu') if _is_meta(x) else x

    out = func(*tree_map(unwrap, args), **tree_map(unwrap, kwargs))
    if not to_dev:
        name = func._schema.name.split('::')[-1]
        if mode is not None and not on and name.rstrip('_') in _RANDOM_OPS:
            mode.cpu_draws.append(f'{func} at {_caller()}')
        return out
    out = tree_map(lambda x: OnDevice(x) if type(x) is torch.Tensor else x, out)
    return return_and_correct_aliasing(func, args, kwargs, out)


class _OnDeviceDispatch(TorchDispatchMode):
    """Factory ops with ``device=meta`` and copies to meta land on :class:`OnDevice`."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu_draws: List[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {}, self)


class _OnDeviceConstructors(TorchFunctionMode):
    """What builds a tensor from Python data outside the dispatcher: ``torch.tensor`` /
    ``as_tensor`` / ``new_tensor`` with the device (built on the CPU, then wrapped) and
    list indices (made index tensors on the device, as CUDA indexing does)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.tensor, torch.as_tensor) and _is_meta(kwargs.get('device')):
            with torch._C.DisableTorchFunction():
                out = func(*args, **dict(kwargs, device='cpu'))
            return OnDevice(out) if type(out) is torch.Tensor else out
        if func is torch.Tensor.new_tensor and type(
                args[0]) is OnDevice and (kwargs.get('device') is None
                                          or _is_meta(kwargs['device'])):
            with torch._C.DisableTorchFunction():
                out = args[0].elem.new_tensor(*args[1:], **dict(kwargs, device='cpu'))
            return OnDevice(out)
        if func is torch.Tensor.tolist and type(args[0]) is OnDevice:
            return args[0].elem.tolist()  # a copy to the host, as CUDA tensors allow
        if func is torch.Tensor.numpy and type(args[0]) is OnDevice:
            raise TypeError('numpy() of a device tensor (CUDA refuses it too)')
        if func in (torch.Tensor.__getitem__, torch.Tensor.__setitem__) and \
                type(args[0]) is OnDevice:

            def fix(i):
                return OnDevice(torch.tensor(i)) if isinstance(i, list) else i

            idx = tuple(map(fix, args[1])) if isinstance(args[1], tuple) else fix(args[1])
            args = (args[0], idx) + tuple(args[2:])
        return func(*args, **kwargs)


@contextlib.contextmanager
def on_device_with_values():
    """Run with :class:`OnDevice` tensors; yields the list of CPU random draws."""
    dispatch = _OnDeviceDispatch()
    with dispatch, _OnDeviceConstructors():
        yield dispatch.cpu_draws


def move_with_values(model: nn.Module) -> nn.Module:
    """Parameters and buffers become :class:`OnDevice` (same values)."""
    model._apply(lambda t: OnDevice(t.detach()))
    model.data_preprocessor._device = META  # what BaseModel.to() sets
    return model


def values(t: torch.Tensor) -> torch.Tensor:
    return t.elem if type(t) is OnDevice else t


# ---------------------------------------------------------------------- the methods
TINY = dict(depth=10, base_channels=4)  # R3D / R(2+1)D: stage widths 4, 8, 16, 32
N = 4  # samples per batch


def _model_cfg(path: str) -> dict:
    return Config.fromfile(osp.join(REPO, path)).model.to_dict()


def _sample(inputs: torch.Tensor, **meta) -> dict:
    s = ActionDataSample()
    s.set_metainfo(meta)
    return dict(inputs=inputs, data_samples=s)


def _clips(v: int, t: int, size: int, seed: int) -> List[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, (v, 3, t, size, size), generator=g, dtype=torch.uint8)
        for _ in range(N)
    ]


def _collate(samples: List[dict]) -> dict:
    from mmengine.dataset import pseudo_collate
    return pseudo_collate(samples)


def _ctrl_aug_batch(k: int = 3, t: int = 4, size: int = 32) -> dict:
    """The real data path's tail: sampler, crop, pack, then ``ctrl_aug_collate``."""
    from vssl_mm.datasets import ctrl_aug_collate
    from vssl_mm.datasets.transforms import CtrlAugCrop, CtrlAugSampler, PackMultiViewInputs
    rng = np.random.RandomState(0)
    np.random.seed(0)
    pack = PackMultiViewInputs(meta_keys=('ctrl_params', ), extra_view_keys=('global_view', ))
    samples = []
    for _ in range(N):
        r = CtrlAugSampler(num_clips=k, clip_len=t, global_len=2 * t)(dict(total_frames=32))
        r['views'] = [
            rng.randint(0, 256, (len(i), 40, 48, 3)).astype(np.uint8) for i in r['view_frame_inds']
        ]
        samples.append(pack(CtrlAugCrop(out_size=size)(r)))
    return ctrl_aug_collate(samples, samples_per_level=2)


def _case(method: str, meta_variant: bool):
    """``(model config, collated CPU batch)`` of one method from its synthetic config."""
    if method == 'clip_contrast':
        cfg = _model_cfg('configs/simclr/r3d18_synthetic.py')
        cfg['neck'].update(in_channels=32, hidden_channels=16, out_channels=8)
        batch = _collate([_sample(x) for x in _clips(2, 4, 32, 1)])
    elif method == 'hdc':
        cfg = _model_cfg('configs/hdc/r3d18_synthetic.py')
        cfg['head'].update(in_channels=(8, 16, 32), out_channels=8)
        # instance norm needs > 1 element at block 5: 8 frames at 64 px give 1x2x2
        batch = _collate([_sample(x) for x in _clips(3, 8, 64, 2)])
    elif method == 'seg_order_rate':
        cfg = _model_cfg('configs/seg_order_rate/r21d_synthetic_view.py')
        cfg.update(view_generator_ckpt=None, queue_len=2 * N)
        cfg['view_generator'].update(base_channels=4, latent_channels=4)
        cfg['neck'].update(in_channels=32, hidden_channels=16, out_channels=9)
        cfg['order_head'].update(in_channels=32, hidden_channels=16)
        cfg['rate_head'].update(in_channels=32)
        if meta_variant:
            cfg['view_generator'] = None  # synth.any() reads the draw on the host
        rates = np.random.RandomState(3).randint(1, 4, (N, 3)).astype(np.float32)
        batch = _collate([
            _sample(x, order_label=i % 6, seg_rates=rates[i])
            for i, x in enumerate(_clips(2, 8, 32, 3))
        ])
    elif method == 'view_synthesis':
        cfg = _model_cfg('configs/seg_order_rate/view_synthesis_synthetic.py')
        cfg['generator'].update(base_channels=4, latent_channels=4)
        cfg['flow_estimator'].update(base_channels=4)
        batch = _collate([_sample(x) for x in _clips(2, 4, 32, 4)])
    elif method == 'mlrep':
        cfg = _model_cfg('configs/mlrep/r3d18_synthetic.py')
        cfg.update(
            level_channels=(8, 16, 32),
            proj_channels=8,
            me_reduction=4,
            queue_length=4 * N,
            temporal_augs=('reverse', 'shuffle'))
        if meta_variant:  # the queue's filled length and the shuffle check are host reads
            cfg.update(queue_length=0, temporal_augs=('reverse', ))
        batch = _collate([_sample(x) for x in _clips(3, 8, 32, 5)])
    elif method == 'ctrl_aug':
        cfg = _model_cfg('configs/ctrl_aug/r3d18_synthetic.py')
        cfg['projection'].update(in_channels=32, hidden_channels=16, out_channels=8)
        cfg['critic'].update(in_channels=32, hidden_channels=16)
        cfg['td_head'].update(in_channels=32, hidden_channels=16, num_clips=3)
        cfg['nce_neck'] = dict(type='MLPProjection', in_channels=32, out_channels=8)
        cfg['loss_weights'] = dict(cfg['loss_weights'], nce=1.0)
        if meta_variant:  # the level-pair check and empty-mask tests read on the host
            cfg['loss_weights'].pop('mi')
        batch = _ctrl_aug_batch()
    elif method == 'arrow_of_time':
        cfg = _model_cfg('configs/tutorials/arrow_of_time_r3d18_synthetic.py')
        cfg.update(feat_channels=32)
        cfg['neck'].update(in_channels=32, hidden_channels=16, out_channels=8)
        batch = _collate([_sample(x) for x in _clips(2, 4, 32, 6)])
    else:
        raise KeyError(method)
    for key in ('backbone', 'feature_extractor'):
        if key in cfg:  # mmaction's R(2+1)D has no depth 10: keep 18, narrow it
            cfg[key].update(TINY if cfg[key]['type'] == 'ResNet3dSSL' else dict(base_channels=4))
    return cfg, batch


METHODS = ('clip_contrast', 'hdc', 'seg_order_rate', 'view_synthesis', 'mlrep', 'ctrl_aug',
           'arrow_of_time')
#: stages per method: MLRep runs stage 1 (L_mul off), then stage 2 (L_mul and queue on)
STAGES = dict(mlrep=((False, True), (True, True)))


def _train_step(model: nn.Module, batch: dict, device: torch.device) -> Dict:
    """data preprocessor -> loss -> parse_losses -> backward -> SGD step; checks."""
    data = model.data_preprocessor(batch, True)
    assert data['inputs'].device == device
    losses = model(**data, mode='loss')
    off = {k: v.device for k, v in losses.items() if torch.is_tensor(v) and v.device != device}
    assert not off, f'returned tensors not on {device}: {off}'
    loss, log_vars = model.parse_losses(losses)
    loss.backward()
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    missing = [n for n, p in trainable.items() if p.grad is None]
    assert not missing, f'no gradient (DDP would need find_unused_parameters): {missing}'
    assert all(p.grad.device == device for p in trainable.values())
    opt = torch.optim.SGD(trainable.values(), lr=0.01, foreach=False)
    opt.step()
    opt.zero_grad()
    return losses


def _build(method: str, meta_variant: bool):
    cfg, batch = _case(method, meta_variant)
    torch.manual_seed(0)
    return MODELS.build(cfg).train(), batch


@pytest.mark.parametrize('method', METHODS)
def test_train_step_on_meta(method):
    model, batch = _build(method, meta_variant=True)
    model.to(META)
    assert model.data_preprocessor.device == META
    assert all(t.is_meta for t in list(model.parameters()) + list(model.buffers()))
    for mul_on, queue_on in STAGES.get(method, ((None, None), )):
        if mul_on is not None:
            model.set_stage(mul_on=mul_on, queue_on=queue_on)
        losses = _train_step(model, batch, META)
        assert any(k.startswith('loss') for k in losses)


@pytest.mark.parametrize('method', METHODS)
def test_train_step_on_device_with_values(method):
    model, batch = _build(method, meta_variant=False)
    move_with_values(model)
    assert all(type(t) is OnDevice for t in list(model.parameters()) + list(model.buffers()))
    steps = STAGES.get(method, ((None, None), ) * (2 if method == 'seg_order_rate' else 1))
    with on_device_with_values() as cpu_draws:
        for mul_on, queue_on in steps:
            if mul_on is not None:
                model.set_stage(mul_on=mul_on, queue_on=queue_on)
            losses = _train_step(model, batch, META)
            loss = sum(values(v) for k, v in losses.items() if 'loss' in k)
            assert torch.isfinite(loss), {k: values(v) for k, v in losses.items()}
    assert not cpu_draws, cpu_draws
    if method == 'seg_order_rate':  # the generator made keys; the queue moved twice
        assert values(model.queue.ptr).item() == 0 and 'key_synth_ratio' in losses
    if method == 'mlrep':  # stage 2's second step read the queue filled by the first
        assert values(model.queue_filled).item() == 2 * N
    if method == 'ctrl_aug':
        assert 'loss_mi' in losses and values(losses['same_level_pairs']).item() > 0


# ---------------------------------------------------------------------- sensitivity
class _TorchWithoutDevice:
    """``torch`` whose ``arange`` drops ``device=`` (the bug this file looks for)."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def arange(*args, device=None, **kwargs):
        return torch.arange(*args, **kwargs)


def test_missing_device_is_caught():
    from vssl_mm.models.losses import info_nce
    for meta in (True, False):
        model, batch = _build('clip_contrast', meta_variant=True)
        with mock.patch.object(info_nce, 'torch', _TorchWithoutDevice()):
            if meta:
                model.to(META)
                with pytest.raises(RuntimeError, match='device'):
                    _train_step(model, batch, META)
            else:
                move_with_values(model)
                with on_device_with_values(), pytest.raises(DeviceMix, match='info_nce'):
                    _train_step(model, batch, META)


def test_cpu_logged_value_and_cpu_draw_are_caught():
    model, batch = _build('arrow_of_time', meta_variant=True)
    model.to(META)
    loss = type(model).loss

    def cpu_scalar(self, inputs, data_samples=None):
        return dict(loss(self, inputs, data_samples), num=torch.tensor(1.))

    with mock.patch.object(type(model), 'loss', cpu_scalar), \
            pytest.raises(AssertionError, match='num'):
        _train_step(model, batch, META)
    from vssl_mm.models.heads import ctrl_aug as heads
    clips = OnDevice(torch.randn(2, 3, 4))
    with on_device_with_values() as cpu_draws:
        heads.shuffle_clips(clips)
        assert not cpu_draws
        # a draw on the CPU, copied over: works, but takes the CPU generator
        torch.randint(3, (2, )).to(clips.device)
    assert cpu_draws and 'randint' in cpu_draws[0]


# ---------------------------------------------------------------------- hooks
class _FakeGroup:
    """What the hooks see of a 2-rank nccl group: collectives check the device."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.calls: List[str] = []

    def all_reduce(self, t, op=None):
        self.calls.append('all_reduce')
        assert t.device == self.device, f'all_reduce of a {t.device} tensor'

    def all_gather(self, out, t):
        self.calls.append('all_gather')
        assert t.device == self.device and all(o.device == self.device for o in out)
        for o in out:
            o.copy_(t)


def _patch_dist(module, group: _FakeGroup):
    return [
        mock.patch.object(module.dist, 'is_available', lambda: True),
        mock.patch.object(module.dist, 'is_initialized', lambda: True),
        mock.patch.object(module.dist, 'get_world_size', lambda *a: 2),
        mock.patch.object(module.dist, 'get_rank', lambda *a: 0),
        mock.patch.object(module.dist, 'all_reduce', group.all_reduce),
        mock.patch.object(module.dist, 'all_gather', group.all_gather),
        mock.patch.object(module, 'get_comm_device', lambda *a: group.device, create=True)
    ]


def test_hook_collectives_use_the_backend_device():
    """nccl reduces CUDA tensors only: the hooks' tensors go to ``get_comm_device()``
    (stood in for by meta with values), not the CPU."""
    from vssl_mm.engine.hooks import rank_consistency, reliability
    group = _FakeGroup(META)
    model = _build('arrow_of_time', True)[0]
    with contextlib.ExitStack() as stack:
        for p in _patch_dist(reliability, group) + _patch_dist(rank_consistency, group):
            stack.enter_context(p)
        stack.enter_context(on_device_with_values())
        assert reliability._all_reduce([1., 2.]) == [1., 2.]
        move_with_values(model)
        hook = rank_consistency.RankConsistencyHook(include_buffers=True)
        assert hook._checksum(model).device == META  # summed where the weights are
        hook.check(SimpleNamespace(model=model, logger=mock.Mock()))
    assert group.calls == ['all_reduce', 'all_gather']


def test_rng_state_hook_keeps_the_cuda_generator(monkeypatch):
    from vssl_mm.engine.hooks import reliability
    cuda_state = torch.ByteTensor([1, 2, 3])
    restored = []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'get_rng_state', lambda *a: cuda_state.clone())
    monkeypatch.setattr(torch.cuda, 'set_rng_state', lambda s, *a: restored.append(s))
    state = reliability.get_rng_state()
    assert torch.equal(state['cuda'], cuda_state)
    reliability.set_rng_state(state)
    assert torch.equal(restored[0], cuda_state)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert 'cuda' not in reliability.get_rng_state()
    reliability.set_rng_state(state)  # a GPU checkpoint resumed without CUDA
    assert len(restored) == 1


# ---------------------------------------------------------------------- nccl-only settings
def _train_tool():
    path = osp.join(REPO, 'tools', 'train.py')
    spec = importlib.util.spec_from_file_location('vssl_train', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _norm_types(node) -> set:
    if isinstance(node, dict):
        out = {node['norm_cfg'].get('type')} if isinstance(node.get('norm_cfg'), dict) \
            else set()
        for v in node.values():
            out |= _norm_types(v)
        return out
    if isinstance(node, (list, tuple)):
        return set().union(*map(_norm_types, node)) if node else set()
    return set()


GPU_CONFIGS = ('configs/simclr/r3d18_k400.py', 'configs/hdc/r3d18_k400.py',
               'configs/seg_order_rate/r21d_ucf_view.py',
               'configs/seg_order_rate/view_synthesis_ucf.py', 'configs/mlrep/r3d18_k400.py',
               'configs/ctrl_aug/r3d18_ucf.py')


@pytest.mark.parametrize('path', GPU_CONFIGS)
def test_amp_and_nccl_settings_on_gpu_converted_only_without(path, monkeypatch):
    """``tools/train.py CONFIG --amp --launcher pytorch``: with CUDA the config keeps
    nccl, its SyncBN / ``sync_bn`` and mmengine's own DDP wrapper (``device_ids`` from
    ``LOCAL_RANK``; no config needs ``find_unused_parameters``, every step above gives
    every trainable parameter a gradient), and AMP is ``AmpOptimWrapper`` (fp16 autocast,
    dynamic ``GradScaler``). Without CUDA: gloo, BN, CPU DDP, ``CPUAmpOptimWrapper``
    (bf16, no scaler)."""
    from mmengine.optim import AmpOptimWrapper, build_optim_wrapper
    from mmengine.optim.optimizer import amp_optimizer_wrapper

    from vssl_mm.engine.optimizers import CPUAmpOptimWrapper
    train = _train_tool()
    args = argparse.Namespace(
        config=path,
        work_dir='/tmp/unused',
        amp=True,
        resume=None,
        auto_scale_lr=False,
        seed=None,
        diff_rank_seed=False,
        deterministic=False,
        cfg_options=None,
        no_validate=False,
        launcher='pytorch')
    original = Config.fromfile(osp.join(REPO, path))
    tiny = nn.Linear(2, 2)
    for cuda in (True, False):
        monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda)
        cfg = train.merge_args(Config.fromfile(osp.join(REPO, path)), args)
        assert not cfg.get('find_unused_parameters', False)
        if cuda:
            assert cfg.env_cfg.dist_cfg.backend == 'nccl'
            assert 'model_wrapper_cfg' not in cfg
            assert _norm_types(cfg.model) == _norm_types(original.model)
            assert cfg.get('sync_bn') == original.get('sync_bn')
            assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
            assert cfg.optim_wrapper.loss_scale == 'dynamic'
            monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available', lambda: True)
            with warnings.catch_warnings():  # GradScaler: CUDA absent / deprecated alias
                warnings.simplefilter('ignore')
                wrapper = build_optim_wrapper(tiny, cfg.optim_wrapper)
            assert type(wrapper) is AmpOptimWrapper and wrapper.cast_dtype is None
            assert isinstance(wrapper.loss_scaler, torch.amp.GradScaler)
        else:
            assert cfg.env_cfg.dist_cfg.backend == 'gloo'
            assert cfg.model_wrapper_cfg.device_ids is None
            assert not ({'SyncBN', 'MMSyncBN', 'TorchSyncBN'} & _norm_types(cfg.model))
            assert not cfg.get('sync_bn')
            wrapper = build_optim_wrapper(tiny, cfg.optim_wrapper)
            assert type(wrapper) is CPUAmpOptimWrapper
            assert wrapper.cast_dtype == torch.bfloat16
            assert not hasattr(wrapper, 'loss_scaler')
