from .hooks import *  # noqa: F401,F403
from .optimizers import (CPUAmpOptimWrapper, FusedOptimWrapperConstructor,  # noqa: F401
                         amp_optim_wrapper_type)
