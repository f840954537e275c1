"""Fixes for known failures of the pinned stack (docs/design.md, pitfalls 1-4).

Nothing in site-packages is edited; every fix is applied at import time of ``vssl_mm``
and is idempotent (fix 1 also at start-up, by the file the install adds):

1. ``import mmaction.models`` fails on the PyPI 1.2.0 wheel because
   ``mmaction/models/localizers/drn`` was left out of it. A finder that supplies stub
   modules (a ``DRN`` that raises a clear error when built) is installed at interpreter
   start-up by the ``.pth`` file the install writes (:mod:`vssl_mm.utils.stack_hook`), so
   importing mmaction2 before vssl_mm works too, and again here.
2. ``importlib_metadata`` is imported by mmaction2 but undeclared: declared in
   ``requirements/runtime.txt``; :func:`check_importlib_metadata` gives a clear error.
3. torch >= 2.6 loads with ``weights_only=True``; mmengine checkpoints then fail to load.
   ``weights_only=True`` is kept and exactly the globals mmengine checkpoints hold are
   allow-listed. A checkpoint holding anything else (e.g. a pickled ``os.system`` call) is
   refused with :class:`UnsafeCheckpointError` naming the file, and nothing in it runs.
4. ``--launcher pytorch`` on a CPU-only torch: mmengine calls ``torch.cuda.set_device`` and
   wraps DDP with ``device_ids=[LOCAL_RANK]``. On a machine without CUDA the process group
   is initialised with ``gloo`` and no device is set; :func:`adapt_cfg_to_device` sets
   ``model_wrapper_cfg.device_ids=None`` and replaces SyncBN (which raises on CPU DDP).
   With CUDA present nothing changes (nccl as usual).
5. Checkpoints are written atomically: mmengine's local ``put`` (used by
   ``save_checkpoint``) writes a temporary file in the target folder, fsyncs it and
   ``os.replace``-s it over the target, so a process killed during a save leaves the
   previous file intact and loadable (:func:`patch_atomic_put`).
6. Known harmless noise of the stack (:data:`HARMLESS_WARNINGS`,
   :data:`HARMLESS_LOG_LINES`: mmcv-lite's missing ``MultiScaleDeformableAttention`` and
   mmengine's ``FileClient`` deprecation line) is filtered, nothing else.
"""
import os
import os.path as osp
import pickle
from typing import Any, List

import numpy as np
import torch

_APPLIED = False


class UnsafeCheckpointError(pickle.UnpicklingError):
    """Raised when a checkpoint holds objects outside the weights-only allow-list."""


class NotACheckpointError(ValueError):
    """Raised when a file given as a checkpoint is no PyTorch checkpoint at all."""


def is_torch_checkpoint_file(filename: Any) -> bool:
    """Whether ``filename`` looks like what ``torch.save`` writes: a zip archive (the
    default format) or a pickle stream (the legacy format starts with a protocol byte)."""
    import zipfile
    try:
        if zipfile.is_zipfile(filename):
            return True
        with open(filename, 'rb') as f:
            return f.read(1) == b'\x80'
    except (OSError, TypeError):
        return True  # not a path we can inspect (a buffer): let torch's error stand


# ----------------------------------------------------------------------------------------
# 1. mmaction.models.localizers.drn missing from the wheel
# ----------------------------------------------------------------------------------------
def stub_missing_drn() -> None:
    """Make ``mmaction.models.localizers.drn(.drn)`` importable where the wheel lacks them.

    Installs :class:`vssl_mm.utils.stack_hook.MissingDrnFinder` (normally already installed
    at interpreter start-up by the ``vssl_mm_stack_hook.pth`` file the install writes); it
    is consulted only after the real modules were not found.
    """
    from .stack_hook import install
    install()


# ----------------------------------------------------------------------------------------
# 2. importlib_metadata
# ----------------------------------------------------------------------------------------
def check_importlib_metadata() -> None:
    try:
        import importlib_metadata  # noqa: F401
    except ImportError as e:  # pragma: no cover - install problem
        raise ImportError('mmaction2 1.2.0 needs the package "importlib_metadata"; install it with '
                          '`pip install -r requirements/runtime.txt`.') from e


# ----------------------------------------------------------------------------------------
# 3. weights_only=True checkpoints
# ----------------------------------------------------------------------------------------
def checkpoint_safe_globals() -> List[Any]:
    """Exactly what mmengine checkpoints hold beyond tensors (docs/design.md, pitfall 3)."""
    from mmengine.logging import HistoryBuffer
    reconstruct = np.zeros(1).__reduce__()[0]  # numpy.core.multiarray._reconstruct
    scalar = np.float64(0).__reduce__()[0]  # numpy.core.multiarray.scalar
    allowed = [
        HistoryBuffer, getattr, reconstruct, np.ndarray, np.dtype, scalar,
        type(np.dtype('float64')),
        type(np.dtype('int64'))
    ]
    for name in ('Float64DType', 'Int64DType', 'Float32DType', 'Int32DType', 'BoolDType'):
        cls = getattr(getattr(np, 'dtypes', None), name, None)
        if cls is not None and cls not in allowed:
            allowed.append(cls)
    return allowed


def register_safe_globals() -> None:
    torch.serialization.add_safe_globals(checkpoint_safe_globals())


def safe_torch_load(filename: Any, map_location: Any = None) -> Any:
    """``torch.load(weights_only=True)`` with a clear error naming the file."""
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except Exception as e:
        if isinstance(filename, (str, os.PathLike)) and \
                not is_torch_checkpoint_file(filename):
            raise NotACheckpointError(
                f'"{filename}" is not a checkpoint: torch.save writes a zip archive or a '
                'pickle, and this file is neither (a text file, an image, a wrong path?)') from None
        if not isinstance(e, pickle.UnpicklingError):
            raise
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint "{filename}": it holds objects outside the '
            'weights-only allow-list of vssl_mm (tensors, numpy arrays, mmengine '
            'HistoryBuffer). Nothing from it was executed. Only load checkpoints you '
            f'trust; torch said: {str(e).splitlines()[0]}') from None


def _load_from_local(filename: str, map_location: Any = None) -> Any:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return safe_torch_load(filename, map_location=map_location)


def patch_checkpoint_loader() -> None:
    """Route mmengine's local checkpoint loading through :func:`safe_torch_load`."""
    from mmengine.runner import checkpoint as ckpt_mod
    ckpt_mod.CheckpointLoader._register_scheme([''], _load_from_local, force=True)
    ckpt_mod.load_from_local = _load_from_local


# ----------------------------------------------------------------------------------------
# 4. --launcher pytorch without CUDA
# ----------------------------------------------------------------------------------------
def patch_init_dist_pytorch() -> None:
    """Initialise gloo without ``torch.cuda.set_device`` when CUDA is unavailable."""
    from mmengine.dist import utils as dist_utils
    if getattr(dist_utils._init_dist_pytorch, '_vssl_mm_patched', False):
        return
    original = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend: str, init_backend: str = 'torch', **kwargs: Any) -> None:
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        import torch.distributed as torch_dist
        if backend != 'gloo':
            backend = 'gloo'
        torch_dist.init_process_group(
            backend=backend,
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)

    _init_dist_pytorch._vssl_mm_patched = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch


def adapt_dataloaders(cfg: Any) -> Any:
    """``num_workers=0`` works with any config: ``persistent_workers`` (which torch's
    DataLoader refuses without workers) is switched off for such loaders."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key, None)
        if loader and loader.get('num_workers', None) == 0 and \
                loader.get('persistent_workers', False):
            loader['persistent_workers'] = False
    return cfg


def adapt_cfg_to_device(cfg: Any, launcher: str = 'none') -> Any:
    """Make a config run here: :func:`adapt_dataloaders`, then, for a distributed
    launch on a CPU-only machine (no-op with CUDA), the DDP wrapper and norms.

    Sets ``model_wrapper_cfg`` to ``MMDistributedDataParallel`` with ``device_ids=None``
    (kept options such as ``find_unused_parameters`` survive) and turns SyncBN into BN,
    since SyncBN raises under CPU DDP.
    """
    adapt_dataloaders(cfg)
    if launcher == 'none' or torch.cuda.is_available():
        return cfg
    wrapper = dict(cfg.get('model_wrapper_cfg', None) or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    if 'find_unused_parameters' in cfg and 'find_unused_parameters' not in wrapper:
        wrapper['find_unused_parameters'] = cfg.find_unused_parameters
    cfg.model_wrapper_cfg = wrapper
    if cfg.get('sync_bn', None):
        cfg.sync_bn = None
    _replace_syncbn(cfg.get('model', {}))
    env_cfg = cfg.get('env_cfg', None)
    if env_cfg is not None and env_cfg.get('dist_cfg', None) is not None:
        env_cfg.dist_cfg['backend'] = 'gloo'
    return cfg


def _replace_syncbn(node: Any) -> None:
    if isinstance(node, dict):
        if node.get('type', None) in ('SyncBN', 'MMSyncBN', 'TorchSyncBN'):
            node['type'] = 'BN3d' if node.get('_dims', 3) == 3 else 'BN'
        for v in node.values():
            _replace_syncbn(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _replace_syncbn(v)


# ----------------------------------------------------------------------------------------
# 5. atomic checkpoint writes
# ----------------------------------------------------------------------------------------
def atomic_write_bytes(obj: bytes, filepath: Any) -> None:
    """Write ``obj`` to ``filepath`` via a temporary file in the same folder + rename.

    ``os.replace`` is atomic on POSIX and Windows for paths on one file system, so a
    reader (or a resume after a crash) sees either the old file or the complete new one.
    """
    filepath = os.fspath(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(filepath)}.tmp{os.getpid()}')
    try:
        with open(tmp, 'wb') as f:
            f.write(obj)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def patch_atomic_put() -> None:
    """Make mmengine's ``LocalBackend.put`` (checkpoint saving) atomic."""
    from mmengine.fileio.backends.local_backend import LocalBackend
    if getattr(LocalBackend.put, '_vssl_mm_patched', False):
        return

    def put(self: Any, obj: bytes, filepath: Any) -> None:
        atomic_write_bytes(obj, filepath)

    put._vssl_mm_patched = True
    put.__doc__ = LocalBackend.put.__doc__
    LocalBackend.put = put  # HardDiskBackend (FileClient) inherits it


# ----------------------------------------------------------------------------------------
# 6. known harmless log noise
# ----------------------------------------------------------------------------------------
#: warnings / log lines of the stack that say nothing to a vssl_mm user:
#: - mmcv-lite has no compiled ops, so mmcv warns at import that
#:   ``MultiScaleDeformableAttention`` is missing (no vssl_mm or mmaction2 recognizer
#:   uses it);
#: - mmengine logs '"FileClient" will be deprecated' whenever mmaction2 or mmengine code
#:   builds one internally (nothing the user configured).
HARMLESS_WARNINGS = (r'Fail to import ``MultiScaleDeformableAttention``', )
HARMLESS_LOG_LINES = ('"FileClient" will be deprecated',
                      '"HardDiskBackend" is the alias of "LocalBackend"')


class _HarmlessLogFilter:
    """A ``logging`` filter dropping :data:`HARMLESS_LOG_LINES`."""

    def filter(self, record: Any) -> bool:
        msg = str(record.msg)
        return not any(msg.startswith(line) for line in HARMLESS_LOG_LINES)


def filter_harmless_noise() -> None:
    """Silence :data:`HARMLESS_WARNINGS` and :data:`HARMLESS_LOG_LINES` (only those)."""
    import warnings
    for pattern in HARMLESS_WARNINGS:
        warnings.filterwarnings('ignore', message=pattern)
    from mmengine.logging import MMLogger
    if getattr(MMLogger.__init__, '_vssl_mm_patched', False):
        return
    original = MMLogger.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.addFilter(_HarmlessLogFilter())

    __init__._vssl_mm_patched = True
    MMLogger.__init__ = __init__
    for name, logger in list(MMLogger._instance_dict.items()):
        logger.addFilter(_HarmlessLogFilter())


def apply_all() -> None:
    """Apply every fix once. Called by ``import vssl_mm``."""
    global _APPLIED
    if _APPLIED:
        return
    stub_missing_drn()
    check_importlib_metadata()
    register_safe_globals()
    patch_checkpoint_loader()
    patch_init_dist_pytorch()
    patch_atomic_put()
    filter_harmless_noise()
    _APPLIED = True
