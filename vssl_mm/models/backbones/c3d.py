"""C3D conv trunk (no fc) with multi-level outputs.

Tran et al., "Learning Spatiotemporal Features with 3D Convolutional Networks" (ICCV 2015):
eight 3x3x3 convs (64, 128, 256, 256, 512, 512, 512, 512) in five blocks, each followed by
a max-pool (1x2x2 after block 1, 2x2x2 after the others). The papers use the conv part
only (27.7M parameters). mmaction2's ``C3D`` returns its fc7 output (docs/design.md, pitfall 8);
this trunk keeps mmaction2's module names (``conv1a`` ... ``conv5b``, ``pool1`` ...
``pool5``), so its state dict is exactly mmaction2's C3D state dict without
``fc6``/``fc7``: it loads into ``mmaction.models.C3D`` with ``strict=False`` and the
missing keys are exactly ``fc6.weight, fc6.bias, fc7.weight, fc7.bias``.

Stage i = conv block i+1 followed by its pool. At 16x112x112 (``pool_outputs=True``):
64x16x56x56, 128x8x28x28, 256x4x14x14, 512x2x7x7, 512x1x4x4.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.model.weight_init import constant_init, kaiming_init
from mmengine.runner import load_checkpoint
from torch.nn.modules.batchnorm import _NormBase

from vssl_mm.registry import MODELS
from .named_stages import NamedStagesMixin
from .temporal_stride import MultiLevelBackboneMixin, StrideSpec


@MODELS.register_module()
class C3DTrunk(MultiLevelBackboneMixin, NamedStagesMixin, BaseModule):
    """C3D conv trunk.

    Args:
        in_channels (int): input channels. Defaults to 3.
        base_channels (int): width of block 1; blocks have (1, 2, 4, 8, 8) times it.
            Defaults to 64 (the paper's C3D).
        out_indices (Sequence[int]): stages (0..4) to return. Defaults to ``(4, )``.
        pool_outputs (bool): return each stage after its pool (default) or before.
        conv_cfg (dict, optional): conv layer config. Defaults to ``Conv3d``.
        norm_cfg (dict, optional): ``None`` (the original C3D, convs with bias), or a
            norm inserted after every conv, e.g. ``dict(type='IN3d', affine=True)``
            (HDC), ``dict(type='BN3d')`` or ``dict(type='SyncBN')``.
        act_cfg (dict): activation. Defaults to ``ReLU``.
        frozen_stages (int): stages 0..frozen_stages are frozen. -1: none.
        norm_eval (bool): keep norm layers in eval mode while training.
        with_cp (bool): activation checkpointing per stage.
        return_tuple (bool): return a tuple even for one stage (default).
        pretrained (str, optional): checkpoint of a bare C3D (mmaction2 style).
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')``.
    """

    #: channels multipliers and convs per block
    arch = ((1, 1), (2, 1), (4, 2), (8, 2), (8, 2))

    def __init__(self,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 out_indices: Sequence[int] = (4, ),
                 pool_outputs: bool = True,
                 conv_cfg: Optional[Dict] = None,
                 norm_cfg: Optional[Dict] = None,
                 act_cfg: Optional[Dict] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 return_tuple: bool = True,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        assert all(0 <= i < 5 for i in out_indices), out_indices
        self.in_channels = in_channels
        self.base_channels = base_channels
        self.out_indices = tuple(out_indices)
        self.pool_outputs = pool_outputs
        self.conv_cfg = conv_cfg or dict(type='Conv3d')
        self.norm_cfg = norm_cfg
        self.act_cfg = act_cfg or dict(type='ReLU')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        self.return_tuple = return_tuple
        self.pretrained = pretrained

        conv_param = dict(
            kernel_size=(3, 3, 3),
            padding=(1, 1, 1),
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.stage_names: List[List[str]] = []
        inplanes = in_channels
        for i, (mult, n_convs) in enumerate(self.arch):
            planes = base_channels * mult
            names = []
            for j in range(n_convs):
                name = f'conv{i + 1}{"ab"[j]}'
                self.add_module(name, ConvModule(inplanes, planes, **conv_param))
                inplanes = planes
                names.append(name)
            self.stage_names.append(names)
        self.pool1 = nn.MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2))
        self.pool2 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.pool3 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.pool4 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.pool5 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 1, 1))
        self.feat_dim = inplanes

    # -- stride override ---------------------------------------------------------------
    @property
    def num_stride_stages(self) -> int:
        return len(self.arch)

    def temporal_stride_modules(self, stage: int) -> List[nn.Module]:
        """The pool of the stage (C3D's convs all have stride 1)."""
        return [getattr(self, f'pool{stage + 1}')]

    # -- init / train ------------------------------------------------------------------
    def init_weights(self) -> None:
        """Kaiming init (or ``pretrained=``), then ``init_cfg`` (Pretrained last)."""
        if isinstance(self.pretrained, str):
            load_checkpoint(self, self.pretrained, strict=False, logger='current')
        elif self.pretrained is None:
            for m in self.modules():
                if isinstance(m, nn.Conv3d):
                    kaiming_init(m)
                elif isinstance(m, _NormBase) and m.affine:
                    constant_init(m, 1)
        else:
            raise TypeError('pretrained must be a str or None')
        self._init_from_init_cfg()
        self._is_init = True

    # -- forward -----------------------------------------------------------------------
    def _stage_convs(self, i: int, x: torch.Tensor) -> torch.Tensor:
        for name in self.stage_names[i]:
            x = getattr(self, name)(x)
        return x

    def forward(self,
                x: torch.Tensor,
                temporal_strides: StrideSpec = None
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Forward.

        Args:
            x (torch.Tensor): clips ``(N, C, T, H, W)``, e.g. ``(N, 3, 16, 112, 112)``.
            temporal_strides (dict | Sequence[int], optional): ``{stage: stride}`` for
                the stage pools (stride 1 keeps every frame), this call only.

        Returns:
            tuple[torch.Tensor]: stages in ``out_indices``; the last at 16x112x112 is
            ``(N, 512, 1, 4, 4)``.
        """
        strides = self._resolve_strides(temporal_strides)
        outs = []
        with self._applied_temporal_strides(strides):
            for i in range(len(self.arch)):
                x = self._run(lambda t, i=i: self._stage_convs(i, t), x, strides, self.with_cp)
                pooled = getattr(self, f'pool{i + 1}')(x)
                if i in self.out_indices:
                    outs.append(pooled if self.pool_outputs else x)
                x = pooled
                if i >= max(self.out_indices):
                    break
        return self._format_outputs(outs)
