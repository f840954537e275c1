"""Mixed precision without a GPU: bf16 autocast on CPU.

mmengine 0.10.7's ``AmpOptimWrapper`` asserts CUDA/NPU/MLU/MUSA, so ``--amp`` cannot run
on a CPU-only machine. :class:`CPUAmpOptimWrapper` is the CPU counterpart: the forward
(``optim_context``) runs under ``torch.autocast('cpu', dtype=torch.bfloat16)``; bf16 has
fp32's exponent range, so no loss scaling is needed and backward/step are the plain
``OptimWrapper``'s. ``tools/train.py --amp`` picks it when CUDA is absent
(:func:`amp_optim_wrapper_type`).
"""
from contextlib import contextmanager
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from vssl_mm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under CPU autocast (bf16 by default).

    Args:
        dtype: autocast dtype, ``'bfloat16'`` (default) or ``'float16'``.
        loss_scale: accepted for config compatibility with ``AmpOptimWrapper`` and
            ignored (bf16 needs no loss scaling).
        **kwargs: ``OptimWrapper`` arguments (optimizer, clip_grad, accumulative_counts).
    """

    def __init__(self, dtype: Optional[Union[str, torch.dtype]] = 'bfloat16',
                 loss_scale=None, **kwargs) -> None:
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
