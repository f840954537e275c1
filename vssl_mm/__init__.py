"""vssl_mm: self-supervised video representation learning for OpenMMLab.

Importing vssl_mm applies the stack fixes of :mod:`vssl_mm.utils.compat` first (they must
run before ``mmaction.models`` is imported), registers mmaction2's modules (so vssl_mm
configs use them unprefixed), then vssl_mm's own.
"""
from .utils import compat  # noqa: F401  (must come first)

compat.apply_all()

from mmaction.utils import register_all_modules as _register_mmaction  # noqa: E402

_register_mmaction(init_default_scope=False)

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
