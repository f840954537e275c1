"""Conv3d that always takes oneDNN for CPU inference (frozen networks on CPU).

ATen sends a float32 CPU ``conv3d`` with batch 1 to its im2col fallback
(``aten::slow_conv3d``) whenever ``N * C * D * H`` of the input is below 20480, e.g. a
``(1, 3, 16, 112, 112)`` clip or a ``(1, 32, 16, 28, 28)`` map; oneDNN
(``aten::mkldnn_convolution``) avoids that slow path (figures in
docs/benchmarks_performance.md). seg_order_rate's frozen view generator runs on the
one or few samples whose key it synthesises, so it hits the fallback on every step.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class OneDNNConv3d(nn.Conv3d):
    """``nn.Conv3d`` (same parameters and state dict) that calls oneDNN directly for
    float32 CPU inputs when no gradient is needed; every other case (grad, CUDA, other
    dtypes, autocast, string padding, non-zero padding modes) is ``nn.Conv3d``'s path.
    Results agree with ``nn.Conv3d`` to float32 rounding (both are the same convolution).
    """

    def _use_onednn(self, x: torch.Tensor) -> bool:
        if isinstance(self.padding, str):
            return False
        needs_grad = torch.is_grad_enabled() and (x.requires_grad
                                                  or any(p.requires_grad
                                                         for p in self.parameters()))
        return (not needs_grad and x.device.type == 'cpu' and x.dtype == torch.float32
                and self.weight.dtype == torch.float32 and self.padding_mode == 'zeros'
                and torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
                and not torch.is_autocast_enabled('cpu'))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._use_onednn(x):
            return super().forward(x)
        return self.conv(self, x, self.weight, self.bias)

    @staticmethod
    def conv(module: nn.Conv3d,
             x: torch.Tensor,
             weight: torch.Tensor,
             bias: Optional[torch.Tensor],
             spatial_padding: Optional[tuple] = None) -> torch.Tensor:
        """``module``'s convolution (stride, dilation, groups; padding, or ``module``'s
        temporal padding with ``spatial_padding``) of ``x`` with ``weight`` and ``bias``,
        through oneDNN where :meth:`_use_onednn` allows it."""
        padding = tuple(module.padding)
        if spatial_padding is not None:
            padding = (padding[0], ) + tuple(spatial_padding)
        if isinstance(module, OneDNNConv3d) and module._use_onednn(x):
            return torch.ops.aten.mkldnn_convolution(x.contiguous(), weight.contiguous(), bias,
                                                     list(padding), list(module.stride),
                                                     list(module.dilation), module.groups)
        return F.conv3d(x, weight, bias, module.stride, padding, module.dilation, module.groups)


# low-res tap o (-1, 0, 1) of spatial phase a (0, 1) sums the high-res taps d (-1, 0, 1)
# with floor((a + d) / 2) == o: nearest x2 upsampling repeats each input pixel twice
_PHASE_TAPS = torch.tensor([[[1., 0., 0.], [0., 1., 1.], [0., 0., 0.]],
                            [[0., 0., 0.], [1., 1., 0.], [0., 0., 1.]]])  # (a, o, d)


def fuses_with_upsampling(conv: nn.Conv3d) -> bool:
    """Whether :func:`upsample_conv3d` takes ``conv``: a ``(kt, 3, 3)`` kernel, spatial
    stride 1 and zero padding 1, no dilation or groups."""
    return (conv.kernel_size[1:] == (3, 3) and conv.stride[1:] == (1, 1)
            and not isinstance(conv.padding, str) and conv.padding[1:] == (1, 1)
            and conv.dilation == (1, 1, 1) and conv.groups == 1 and conv.padding_mode == 'zeros')


def upsample_conv3d(x: torch.Tensor, conv: nn.Conv3d) -> torch.Tensor:
    """``conv(upsample_nearest(x, (1, 2, 2)))`` computed at the input's resolution.

    For a ``(kt, 3, 3)`` kernel with spatial stride 1 and padding 1, output pixel
    ``(2i + a, 2j + b)`` of the upsampled-then-convolved map only reads input pixels
    ``i - 1 .. i + 1``: the four phases ``(a, b)`` are one convolution of ``x`` with
    ``4 * C_out`` summed-tap kernels, interleaved afterwards ("sub-pixel" convolution).
    Same result up to float rounding, 4x fewer output positions per kernel and no
    upsampled copy. ``x`` ``(N, C_in, T, H, W)`` -> ``(N, C_out, T', 2H, 2W)``.
    """
    if not fuses_with_upsampling(conv):
        raise ValueError(f'upsample_conv3d needs a (kt, 3, 3) conv with spatial stride 1, '
                         f'padding 1, no dilation or groups, got {conv}')
    taps = _PHASE_TAPS.to(conv.weight)
    # (C_out, C_in, kt, dy, dx) -> (a, b, C_out, C_in, kt, oy, ox)
    weight = torch.einsum('aod,bpe,citde->abcitop', taps, taps, conv.weight)
    c_out = conv.out_channels
    weight = weight.reshape(4 * c_out, *conv.weight.shape[1:])
    bias = None if conv.bias is None else conv.bias.repeat(4)
    y = OneDNNConv3d.conv(conv, x, weight, bias, (1, 1))
    n, _, t, h, w = y.shape
    y = y.view(n, 2, 2, c_out, t, h, w).permute(0, 3, 4, 5, 1, 6, 2)
    return y.reshape(n, c_out, t, 2 * h, 2 * w)
