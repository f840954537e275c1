from .hooks import *  # noqa: F401,F403
from .optimizers import CPUAmpOptimWrapper, amp_optim_wrapper_type  # noqa: F401
