"""Mixed precision without a GPU: bf16 autocast on CPU.

mmengine 0.10.7's ``AmpOptimWrapper`` asserts CUDA/NPU/MLU/MUSA, so ``--amp`` cannot run
on a CPU-only machine. :class:`CPUAmpOptimWrapper` is the CPU counterpart: the forward
(``optim_context``) runs under ``torch.autocast('cpu', dtype=torch.bfloat16)``; bf16 has
fp32's exponent range, so no loss scaling is needed and backward/step are the plain
``OptimWrapper``'s. ``tools/train.py --amp`` picks it when CUDA is absent
(:func:`amp_optim_wrapper_type`).
"""
import warnings
from contextlib import contextmanager
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from vssl_mm.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under CPU autocast (bf16 by default).

    Args:
        dtype: autocast dtype, ``'bfloat16'`` (default) or ``'float16'``.
        loss_scale: accepted for config compatibility with ``AmpOptimWrapper`` and
            ignored (bf16 needs no loss scaling).
        **kwargs: ``OptimWrapper`` arguments (optimizer, clip_grad, accumulative_counts).
    """

    def __init__(self,
                 dtype: Optional[Union[str, torch.dtype]] = 'bfloat16',
                 loss_scale=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if dtype is None:
            dtype = torch.bfloat16
        if isinstance(dtype, str):
            dtype = getattr(torch, dtype)
        if dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'CPU autocast supports bfloat16 or float16, got {dtype}')
        self.cast_dtype = dtype

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield


def amp_optim_wrapper_type(device: Optional[str] = None) -> str:
    """``'AmpOptimWrapper'`` with an accelerator, ``'CPUAmpOptimWrapper'`` without."""
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return 'CPUAmpOptimWrapper' if device == 'cpu' else 'AmpOptimWrapper'


FUSED_OPTIMIZERS = ('Adam', 'AdamW', 'SGD')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class FusedOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor, building Adam/AdamW/SGD with ``fused=True``.

    torch's default optimizer step on CPU tensors is the per-parameter loop: for Adam 6-7
    elementwise kernels per parameter tensor (~600 kernels for R3D-18's 102 tensors),
    each one pass over a parameter-sized buffer. The fused kernel (torch >= 2.4 on CPU,
    earlier on CUDA) does the same update in one pass per tensor. Same update rule, same
    hyper-parameters: the parameters after a step agree with the loop's to float rounding
    (``tests/test_engine/test_optimizers.py``; step timings in
    docs/benchmarks_performance.md).

    Used only where the config names no ``fused``/``foreach`` itself and the optimizer is
    one of :data:`FUSED_OPTIMIZERS`; if torch rejects ``fused=True`` (older torch, a
    device or dtype without a fused kernel) the optimizer is built as configured, with a
    warning.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        opt_type = self.optimizer_cfg.get('type')
        name = opt_type if isinstance(opt_type, str) else getattr(opt_type, '__name__', '')
        if (name.split('.')[-1] not in FUSED_OPTIMIZERS or 'fused' in self.optimizer_cfg
                or 'foreach' in self.optimizer_cfg):
            return super().__call__(model)
        plain_cfg = self.optimizer_cfg
        self.optimizer_cfg = dict(plain_cfg, fused=True)
        try:
            return super().__call__(model)
        except (RuntimeError, TypeError, ValueError) as err:
            warnings.warn(f'fused {name} not available ({err}); using the default step')
            self.optimizer_cfg = plain_cfg
            return super().__call__(model)
        finally:
            self.optimizer_cfg = plain_cfg
