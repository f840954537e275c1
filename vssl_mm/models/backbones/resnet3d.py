"""R3D-10 / R3D-18 / R3D-34: mmaction2's ``ResNet3d`` with multi-level outputs.

3D ResNets follow Hara et al., "Can Spatiotemporal 3D CNNs Retrace the History of 2D CNNs
and ImageNet?" (CVPR 2018) and Tran et al. (CVPR 2018). Parameter names are mmaction2's:
a state dict of :class:`ResNet3dSSL` loads into ``mmaction.models.ResNet3d`` with
``strict=True`` (no parameter or buffer is added).

Defaults (the papers' R3D-18, Hara-style stem; used by ctrl_aug / mlrep / hdc):
``conv1`` 7x7x7 stride (1, 2, 2), max-pool 1x3x3 stride (1, 2, 2), all blocks 3x3x3,
spatial strides (1, 2, 2, 2), temporal strides (1, 2, 2, 2), no ``pool2``. At
16x112x112 the stages are 64x16x28x28, 128x8x14x14, 256x4x7x7, 512x2x4x4.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmaction.models.backbones.resnet3d import BasicBlock3d, Bottleneck3d, ResNet3d
from mmaction.models.common import Conv2plus1d
from mmcv.cnn import ConvModule

from vssl_mm.registry import MODELS
from .temporal_stride import MultiLevelBackboneMixin, StrideSpec


def _temporal_conv(module: nn.Module) -> nn.Module:
    """The Conv3d inside a ConvModule / Conv2plus1d that carries the temporal stride."""
    if isinstance(module, ConvModule):
        module = module.conv
    if isinstance(module, Conv2plus1d):
        return module.conv_t
    assert isinstance(module, nn.Conv3d), type(module)
    return module


class _ResNetSSLMixin(MultiLevelBackboneMixin):
    """Shared forward / stride / init code of :class:`ResNet3dSSL` and R(2+1)D."""

    return_tuple: bool = True

    @property
    def num_stride_stages(self) -> int:
        return len(self.res_layers)

    def temporal_stride_modules(self, stage: int) -> List[nn.Module]:
        """First block of ``layer{stage+1}``: the strided conv and the downsample conv."""
        block = getattr(self, self.res_layers[stage])[0]
        if isinstance(block, Bottleneck3d) and block.style == 'pytorch':
            mods = [_temporal_conv(block.conv2)]
        else:
            mods = [_temporal_conv(block.conv1)]
        if block.downsample is not None:
            mods.append(_temporal_conv(block.downsample))
        if stage == 0 and self._uses_pool2():
            mods.append(self.pool2)
        return mods

    def _uses_pool2(self) -> bool:
        return self.with_pool2

    def _uses_pool1(self) -> bool:
        return self.with_pool1

    def _layer_forward(self, layer: nn.Module, x: torch.Tensor, strides: Dict[int,
                                                                              int]) -> torch.Tensor:
        for block in layer:
            x = self._run(block, x, strides, self._ssl_with_cp)
        return x

    def forward(self,
                x: torch.Tensor,
                temporal_strides: StrideSpec = None
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Forward.

        Args:
            x (torch.Tensor): clips ``(N, C, T, H, W)``.
            temporal_strides (dict | Sequence[int], optional): ``{stage: stride}``
                overriding the temporal strides of chosen stages for this call only
                (same weights).

        Returns:
            tuple[torch.Tensor]: the stages in ``out_indices``, each
            ``(N, C_i, T_i, H_i, W_i)``.
        """
        strides = self._resolve_strides(temporal_strides)
        outs = []
        with self._applied_temporal_strides(strides):
            x = self.conv1(x)
            if self._uses_pool1():
                x = self.maxpool(x)
            for i, layer_name in enumerate(self.res_layers):
                x = self._layer_forward(getattr(self, layer_name), x, strides)
                if i == 0 and self._uses_pool2():
                    x = self.pool2(x)
                if i in self.out_indices:
                    outs.append(x)
        return self._format_outputs(outs)

    def train(self, mode: bool = True) -> nn.Module:
        """mmaction2's ``train`` (frozen stages, norm_eval), returning ``self`` as
        ``nn.Module.train`` does (mmaction2's returns None, so ``.eval()`` did too)."""
        super().train(mode)
        return self

    def init_weights(self, pretrained: Optional[str] = None) -> None:
        """mmaction2's scheme (kaiming, zero-init residual, ``pretrained=``), then
        ``init_cfg`` (``Pretrained`` last, ``prefix`` supported)."""
        super().init_weights(pretrained)
        self._init_from_init_cfg()


def _setup_ssl(module: nn.Module, with_cp: bool, return_tuple: bool,
               out_indices: Sequence[int]) -> None:
    module._ssl_with_cp = with_cp
    module.with_cp = with_cp
    module.return_tuple = return_tuple
    module.out_indices = tuple(out_indices)
    # blocks must not checkpoint on their own: the backbone does it per block and
    # re-applies the temporal-stride override in the recomputation.
    for m in module.modules():
        if isinstance(m, (BasicBlock3d, Bottleneck3d)):
            m.with_cp = False


@MODELS.register_module()
class ResNet3dSSL(_ResNetSSLMixin, ResNet3d):
    """3D ResNet returning a tuple of stages, with a temporal-stride override.

    All arguments of ``mmaction.models.ResNet3d``; different defaults give the papers'
    R3D-18 (see module docstring). R3D-10 is ``depth=18, stage_blocks=(1, 1, 1, 1)``.

    Args:
        depth (int): 10, 18, 34, 50, 101 or 152 (10 = one basic block per stage).
        out_indices (Sequence[int]): stages to return (0..3). Defaults to ``(3, )``.
        norm_cfg (dict): ``BN3d``, ``SyncBN`` or ``dict(type='IN3d', affine=True)``
            (instance norm needs ``zero_init_residual=False``; it is set automatically).
        with_cp (bool): activation checkpointing per residual block.
        return_tuple (bool): return a tuple even for one stage (default). ``False``
            returns a tensor when one stage is asked for (plain mmaction2 heads).
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')``; this really loads (docs/design.md, pitfall 7).
    """

    def __init__(self,
                 depth: int = 18,
                 pretrained: Optional[str] = None,
                 pretrained2d: bool = False,
                 stage_blocks: Optional[Tuple[int, ...]] = None,
                 out_indices: Sequence[int] = (3, ),
                 spatial_strides: Sequence[int] = (1, 2, 2, 2),
                 temporal_strides: Sequence[int] = (1, 2, 2, 2),
                 conv1_kernel: Sequence[int] = (7, 7, 7),
                 conv1_stride_t: int = 1,
                 pool1_stride_t: int = 1,
                 with_pool2: bool = False,
                 inflate: Sequence[int] = (1, 1, 1, 1),
                 norm_cfg: Dict = dict(type='BN3d', requires_grad=True),
                 zero_init_residual: Optional[bool] = None,
                 with_cp: bool = False,
                 return_tuple: bool = True,
                 **kwargs) -> None:
        if depth == 10:
            depth, stage_blocks = 18, stage_blocks or (1, 1, 1, 1)
        if zero_init_residual is None:
            # instance norm with zero-initialised gamma breaks (docs/design.md, pitfall 9)
            zero_init_residual = not str(norm_cfg.get('type', '')).startswith('IN')
        super().__init__(
            depth=depth,
            pretrained=pretrained,
            pretrained2d=pretrained2d,
            stage_blocks=stage_blocks,
            out_indices=out_indices,
            spatial_strides=spatial_strides,
            temporal_strides=temporal_strides,
            conv1_kernel=conv1_kernel,
            conv1_stride_t=conv1_stride_t,
            pool1_stride_t=pool1_stride_t,
            with_pool2=with_pool2,
            inflate=inflate,
            norm_cfg=norm_cfg,
            zero_init_residual=zero_init_residual,
            with_cp=False,
            **kwargs)
        _setup_ssl(self, with_cp, return_tuple, out_indices)
