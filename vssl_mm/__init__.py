"""vssl_mm: self-supervised video representation learning for OpenMMLab.

Importing vssl_mm applies the stack fixes of :mod:`vssl_mm.utils.compat` first (it must
run before ``mmaction.models`` is imported), then registers every vssl_mm module.
"""
from .utils import compat  # noqa: F401  (must come first)

compat.apply_all()

from .version import __version__  # noqa: E402

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__']
