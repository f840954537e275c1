from .hooks import *  # noqa: F401,F403
from .hooks import __all__ as _hook_names
from .optimizers import CPUAmpOptimWrapper, FusedOptimWrapperConstructor, amp_optim_wrapper_type

__all__ = [
    *_hook_names, 'CPUAmpOptimWrapper', 'FusedOptimWrapperConstructor', 'amp_optim_wrapper_type'
]
