from . import compat  # noqa: F401  (import first: fixes the stack)
from .setup_env import register_all_modules

__all__ = ['compat', 'register_all_modules']
