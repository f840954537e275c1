"""Each stack fix of vssl_mm.utils.compat, with a check that the failure is real."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.runner import CheckpointLoader

from vssl_mm.utils import compat


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_mmaction_models_imports_with_vssl_mm():
    proc = _python('import vssl_mm, mmaction.models; '
                   'from mmaction.registry import MODELS; print(MODELS.get("Recognizer3D"))')
    assert proc.returncode == 0, proc.stderr
    assert 'Recognizer3D' in proc.stdout


@pytest.mark.slow
def test_mmaction_models_import_is_broken_without_fix():
    import importlib.util
    spec = importlib.util.find_spec('mmaction')
    drn = osp.join(osp.dirname(spec.origin), 'models', 'localizers', 'drn', '__init__.py')
    # the start-up hook's finder removed: what a plain mmaction2 user of the wheel gets
    proc = _python('import sys; sys.meta_path[:] = [f for f in sys.meta_path '
                   'if type(f).__name__ != "MissingDrnFinder"]; import mmaction.models')
    if osp.isfile(drn):  # a fixed mmaction2 install: the stub must stay out of the way
        assert proc.returncode == 0
    else:
        assert proc.returncode != 0 and 'drn' in proc.stderr


@pytest.mark.slow
def test_mmaction_first_then_vssl_mm():
    """mmaction2's register_all_modules() and init_recognizer imported before vssl_mm (the
    order a plain mmaction2 user writes) work: the install's start-up hook."""
    proc = _python('from mmaction.utils import register_all_modules; register_all_modules(); '
                   'from mmaction.apis import init_recognizer; '
                   'from mmaction.registry import MODELS as M; import vssl_mm; '
                   'from vssl_mm.registry import MODELS; '
                   'print(M.get("Recognizer3D").__name__, MODELS.get("ClipContrast").__name__)')
    assert proc.returncode == 0, ('importing mmaction2 before vssl_mm failed; if '
                                  'vssl_mm_stack_hook is missing, reinstall with '
                                  f'`pip install -e .`:\n{proc.stderr[-2000:]}')
    assert proc.stdout.split() == ['Recognizer3D', 'ClipContrast']


def test_installed_start_up_hook_is_current():
    """The copy the install wrote into site-packages is this checkout's stack_hook.py."""
    import importlib.util

    from vssl_mm.utils import stack_hook
    spec = importlib.util.find_spec('vssl_mm_stack_hook')
    assert spec is not None, 'vssl_mm_stack_hook is not installed: run `pip install -e .`'
    with open(spec.origin) as f, open(stack_hook.__file__) as g:
        assert f.read() == g.read(), 'stale vssl_mm_stack_hook: run `pip install -e .` again'
    pth = osp.join(osp.dirname(spec.origin), 'vssl_mm_stack_hook.pth')
    with open(pth) as f:
        assert f.read().startswith('import vssl_mm_stack_hook')


def test_wheel_ships_start_up_hook(tmp_path):
    """A regular (non-editable) install gets the hook too: it is in the wheel's root."""
    import zipfile
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    proc = subprocess.run([
        sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w',
        str(tmp_path), root
    ],
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel, = [p for p in os.listdir(tmp_path) if p.endswith('.whl')]
    names = set(zipfile.ZipFile(tmp_path / wheel).namelist())
    assert {'vssl_mm_stack_hook.py', 'vssl_mm_stack_hook.pth'} <= names


def test_stub_drn_raises_clearly_when_built():
    from vssl_mm.utils.stack_hook import MissingDrnFinder
    spec = MissingDrnFinder().find_spec('mmaction.models.localizers.drn.drn')
    import importlib.util
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(ImportError, match='does not ship DRN'):
        module.DRN()
    assert MissingDrnFinder().find_spec('mmaction.models.recognizers') is None


class _Toy(nn.Module):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


def _runner_checkpoint(tmp_path) -> str:
    """Train a toy model for one epoch with a real Runner and return its checkpoint."""
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class ToyModel(BaseModel):

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            x = torch.stack(inputs) if isinstance(inputs, list) else inputs
            if mode == 'loss':
                return dict(loss=self.fc(x).pow(2).mean())
            return self.fc(x)

    data = [dict(inputs=torch.randn(3)) for _ in range(8)]
    runner = Runner(
        model=ToyModel(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=4,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmengine')
    runner.train()
    ckpt = osp.join(str(tmp_path), 'epoch_1.pth')
    assert osp.isfile(ckpt)
    return ckpt


def test_runner_checkpoint_loads_with_weights_only(tmp_path):
    ckpt = _runner_checkpoint(tmp_path)
    loaded = CheckpointLoader.load_checkpoint(ckpt, map_location='cpu')
    assert 'state_dict' in loaded and 'message_hub' in loaded and 'optimizer' in loaded
    assert torch.equal(loaded['state_dict']['fc.weight'],
                       torch.load(ckpt, weights_only=True)['state_dict']['fc.weight'])


def test_runner_checkpoint_fails_without_allow_list(tmp_path):
    """Without vssl_mm's allow-list, weights_only loading of a Runner checkpoint fails."""
    ckpt = _runner_checkpoint(tmp_path)
    proc = _python('import torch, sys\n'
                   f'try:\n    torch.load({ckpt!r}, weights_only=True)\n'
                   'except Exception as e:\n    print("FAILED", type(e).__name__); sys.exit(0)\n'
                   'print("LOADED")')
    assert proc.returncode == 0, proc.stderr
    assert 'FAILED' in proc.stdout


class _Evil:

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def test_pickled_call_is_refused_and_never_runs(tmp_path):
    marker = str(tmp_path / 'pwned')
    ckpt = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': _Evil(marker)}, ckpt)
    with pytest.raises(compat.UnsafeCheckpointError) as exc:
        CheckpointLoader.load_checkpoint(ckpt, map_location='cpu')
    assert 'evil.pth' in str(exc.value)
    assert not osp.exists(marker)
    # mmengine's high-level loader goes through the same path
    from mmengine.runner import load_checkpoint
    with pytest.raises(compat.UnsafeCheckpointError):
        load_checkpoint(_Toy(), ckpt, map_location='cpu')
    assert not osp.exists(marker)


def test_non_checkpoint_file_is_named_as_such(tmp_path):
    """A text file is "not a checkpoint"; an unsafe pickle keeps its security error, in
    both torch formats (zip and legacy pickle)."""
    text = tmp_path / 'notes.pth'
    text.write_text('hello, not weights\n')
    with pytest.raises(compat.NotACheckpointError, match='notes.pth.*not a checkpoint'):
        CheckpointLoader.load_checkpoint(str(text), map_location='cpu')
    marker = str(tmp_path / 'pwned')
    legacy = str(tmp_path / 'legacy.pth')
    torch.save({'meta': _Evil(marker)}, legacy, _use_new_zipfile_serialization=False)
    assert compat.is_torch_checkpoint_file(legacy)
    with pytest.raises(compat.UnsafeCheckpointError, match='legacy.pth'):
        CheckpointLoader.load_checkpoint(legacy, map_location='cpu')
    assert not osp.exists(marker)


def test_adapt_cfg_to_device_cpu_only():
    from mmengine.config import Config
    cfg = Config(
        dict(
            model=dict(backbone=dict(norm_cfg=dict(type='SyncBN'))),
            find_unused_parameters=True,
            env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    out = compat.adapt_cfg_to_device(cfg.copy(), 'none')
    assert 'model_wrapper_cfg' not in out
    if torch.cuda.is_available():
        pytest.skip('CUDA present: the config is left for nccl unchanged')
    out = compat.adapt_cfg_to_device(cfg, 'pytorch')
    assert out.model_wrapper_cfg['device_ids'] is None
    assert out.model_wrapper_cfg['find_unused_parameters'] is True
    assert out.model.backbone.norm_cfg.type == 'BN3d'
    assert out.env_cfg.dist_cfg.backend == 'gloo'


@pytest.mark.slow
def test_init_dist_pytorch_uses_gloo_without_cuda(tmp_path):
    """mmengine.dist.init_dist('pytorch') on a CPU-only torch, in a real 1-rank group."""
    if torch.cuda.is_available():
        pytest.skip('CUDA present: mmengine initialises nccl unchanged')
    from tests.conftest import free_port
    code = ('import os, vssl_mm, torch.distributed as dist\n'
            'from mmengine.dist import init_dist\n'
            "init_dist('pytorch', backend='nccl')\n"
            'print(dist.get_backend(), dist.get_world_size())\n'
            'dist.destroy_process_group()')
    env = dict(
        os.environ,
        RANK='0',
        LOCAL_RANK='0',
        WORLD_SIZE='1',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(free_port()))
    env['PYTHONPATH'] = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    proc = subprocess.run([sys.executable, '-c', code],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-2:] == ['gloo', '1']


def test_num_workers_zero_needs_no_other_change(tmp_path):
    """get_started's exact-resume advice: num_workers=0 on a config with persistent
    workers builds a working DataLoader through tools' config adaptation."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config(
        dict(
            train_dataloader=dict(
                batch_size=2,
                num_workers=0,
                persistent_workers=True,
                sampler=dict(type='DefaultSampler', shuffle=False),
                dataset=dict(type='mmengine.ConcatDataset', datasets=[]))))
    compat.adapt_cfg_to_device(cfg, 'none')
    assert cfg.train_dataloader.persistent_workers is False
    loader_cfg = cfg.train_dataloader.to_dict()
    loader_cfg['dataset'] = list(range(4))
    loader = Runner.build_dataloader(loader_cfg)
    assert [list(map(int, b)) for b in loader] == [[0, 1], [2, 3]]


@pytest.mark.slow
def test_known_harmless_noise_is_filtered_and_nothing_else():
    code = ('import vssl_mm, mmaction.models\n'
            'from mmengine.logging import MMLogger, print_log\n'
            'from mmengine.fileio import FileClient\n'
            'MMLogger.get_instance("noise_test")\n'
            'FileClient(backend="disk")\n'
            'print_log("a line that stays", logger="current", level=30)\n'
            'import warnings; warnings.warn("a warning that stays")\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert 'MultiScaleDeformableAttention' not in out
    assert "FileClient" not in out and "HardDiskBackend" not in out
    assert 'a line that stays' in out and 'a warning that stays' in out


@pytest.mark.slow
def test_config_with_custom_imports_fixes_mmaction_before_models_load():
    """A plain mmaction2 user: read a config that imports vssl_mm, then mmaction2's own
    register_all_modules and recognizer API work (docs/get_started.md, import order)."""
    code = ('from mmengine.config import Config\n'
            'Config.fromfile("configs/benchmarks/finetune/hdc/r3d18_ucf101_split1.py")\n'
            'from mmaction.utils import register_all_modules\n'
            'register_all_modules()\n'
            'from mmaction.apis import init_recognizer\n'
            'print("imported")\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          timeout=120,
                          cwd=osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    assert proc.returncode == 0 and 'imported' in proc.stdout, proc.stderr[-2000:]
