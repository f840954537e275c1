"""Start-up fix for the PyPI mmaction2 1.2.0 wheel, which lacks ``mmaction/models/localizers/drn``.

``import mmaction.models`` (and with it mmaction2's ``register_all_modules()`` and
``mmaction.apis``) fails with ``No module named 'mmaction.models.localizers.drn'``. A plugin's
import-time fix comes too late for a user who imports mmaction2 first, so installing
vssl_mm also writes this file into site-packages as the top-level module
``vssl_mm_stack_hook`` together with ``vssl_mm_stack_hook.pth``; Python runs the ``.pth``
line at start-up, which appends :class:`MissingDrnFinder` to ``sys.meta_path``.

The finder is consulted only after the normal path finders failed to find one of the two
missing module names, so a complete mmaction2 install (from source) is never affected, and
nothing is imported at start-up beyond the standard library. ``vssl_mm.utils.compat``
installs the same finder when vssl_mm is imported (for installs that skipped the ``.pth``).

Standard library only: this module runs at interpreter start-up.
"""
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Optional, Sequence

PACKAGE = 'mmaction.models.localizers.drn'
MODULE = PACKAGE + '.drn'


class DRN:
    """Placeholder for mmaction2's DRN localizer, absent from the 1.2.0 wheel."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ImportError('mmaction2 1.2.0 from PyPI does not ship DRN '
                          '(mmaction/models/localizers/drn); install mmaction2 from source '
                          'to use it.')


class _StubLoader(importlib.abc.Loader):
    """Creates the two stub modules: the package and ``drn.drn`` holding :class:`DRN`."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return None  # default module creation

    def exec_module(self, module: ModuleType) -> None:
        module.DRN = DRN
        module.VSSL_MM_STUB = True


class MissingDrnFinder(importlib.abc.MetaPathFinder):
    """Finds stubs for the two DRN module names when nothing before it on
    ``sys.meta_path`` found the real ones."""

    def find_spec(self,
                  fullname: str,
                  path: Optional[Sequence[str]] = None,
                  target: Optional[ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname not in (PACKAGE, MODULE):
            return None
        spec = importlib.machinery.ModuleSpec(
            fullname, _StubLoader(), is_package=fullname == PACKAGE)
        if fullname == PACKAGE:
            spec.submodule_search_locations = []
        return spec


def install() -> None:
    """Append the finder to ``sys.meta_path`` once (idempotent across the installed copy
    of this module and the package's own copy)."""
    if not any(type(f).__name__ == MissingDrnFinder.__name__ for f in sys.meta_path):
        sys.meta_path.append(MissingDrnFinder())
