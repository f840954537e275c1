"""Motion Excitation (ME) block of TEA (Li et al., CVPR 2020), used inside mlrep's temporal
head (Eq. 11-12)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS


@MODELS.register_module()
class MotionExcitation(nn.Module):
    """Feature-level motion excitation on ``(N, C, T, H, W)`` maps.

    1. ``x_r = BN(conv1x1(x))``: ``C -> C/r`` channels;
    2. ``d_t = dwconv3x3(x_r[t+1]) - x_r[t]`` for ``t < T-1`` (depthwise spatial conv),
       ``d_{T-1} = 0`` (zero-padded last step);
    3. ``m = BN(conv1x1(avgpool_hw(d)))``: ``C/r -> C``, shape ``(N, C, T, 1, 1)``;
    4. ``out = x + x * (sigmoid(m) - 0.5)``.

    Args:
        in_channels: C.
        reduction: r (16 in TEA; at least one reduced channel).
    """

    def __init__(self, in_channels: int, reduction: int = 16) -> None:
        super().__init__()
        red = max(in_channels // reduction, 1)
        self.reduce = nn.Conv3d(in_channels, red, 1, bias=False)
        self.reduce_bn = nn.BatchNorm3d(red)
        self.dwconv = nn.Conv2d(red, red, 3, padding=1, groups=red, bias=False)
        self.expand = nn.Conv3d(red, in_channels, 1, bias=False)
        self.expand_bn = nn.BatchNorm3d(in_channels)

    def motion(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, H, W) -> (N, C/r, T, H, W)`` feature differences (last step 0)."""
        n, _, t, h, w = x.shape
        xr = self.reduce_bn(self.reduce(x))  # (N, c, T, H, W)
        c = xr.shape[1]
        nxt = xr[:, :, 1:].transpose(1, 2).reshape(n * (t - 1), c, h, w)
        nxt = self.dwconv(nxt).view(n, t - 1, c, h, w).transpose(1, 2)
        diff = nxt - xr[:, :, :-1]
        return F.pad(diff, (0, 0, 0, 0, 0, 1))  # zero for the last step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5:
            raise ValueError(f'expected (N, C, T, H, W), got {tuple(x.shape)}')
        if x.shape[2] < 2:
            return x  # one step: no motion to excite (attention would be sigmoid(BN(0)))
        m = self.motion(x).mean(dim=(3, 4), keepdim=True)  # (N, c, T, 1, 1)
        m = self.expand_bn(self.expand(m))
        return x + x * (torch.sigmoid(m) - 0.5)
