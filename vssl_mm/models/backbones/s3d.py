"""S3D and S3D-G (not in mmaction2 1.2.0).

Xie et al., "Rethinking Spatiotemporal Feature Learning: Speed-Accuracy Trade-offs in
Video Classification" (ECCV 2018). Inception-v1 (I3D layout) where every 3D conv
k x k x k is separable: a 1 x k x k spatial conv then a k x 1 x 1 temporal conv, each
followed by norm and ReLU (as in the authors' TF-slim ``s3dg.py``: both convs output the
block's width, the first conv's temporal kernel is 3). S3D-G adds feature gating
(Eq. 1 of the paper): ``y = sigmoid(W pool(x) + b) * x`` per channel, on each branch of
every Inception block and after ``Conv_2c`` (``gating_startat='Conv2d_2c_3x3'``).
The final logits conv is not part of the backbone.

Stages (out_indices 0..4) and shapes at 16x112x112:

=====  ===========================================  ==========  ===========
stage  modules                                      channels    T x H x W
=====  ===========================================  ==========  ===========
0      conv1 (1x7x7 s(1,2,2) + 3x1x1 s(2,1,1))      64          8 x 56 x 56
1      pool2 1x3x3/2, conv2b 1x1, conv2c sep 3x3x3  192         8 x 28 x 28
2      pool3 1x3x3/2, mixed_3b, mixed_3c            480         8 x 14 x 14
3      pool4 3x3x3/2, mixed_4b .. mixed_4f          832         4 x 7 x 7
4      pool5 2x2x2/2 (ceil), mixed_5b, mixed_5c     1024        2 x 4 x 4
=====  ===========================================  ==========  ===========

Use from a plain mmaction2 recognizer config::

    custom_imports = dict(imports=['vssl_mm'], allow_failed_imports=False)
    model = dict(type='Recognizer3D',
                 backbone=dict(type='vssl_mm.S3D', gating=True, return_tuple=False),
                 cls_head=dict(type='I3DHead', in_channels=1024, num_classes=101))
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.model.weight_init import constant_init, kaiming_init
from torch.nn.modules.batchnorm import _NormBase

from vssl_mm.registry import MODELS
from .named_stages import NamedStagesMixin
from .temporal_stride import MultiLevelBackboneMixin, StrideSpec

# (in, b0, b1a, b1b, b2a, b2b, b3b) of Inception-v1 / I3D
INCEPTION_CFGS = {
    'mixed_3b': (192, 64, 96, 128, 16, 32, 32),
    'mixed_3c': (256, 128, 128, 192, 32, 96, 64),
    'mixed_4b': (480, 192, 96, 208, 16, 48, 64),
    'mixed_4c': (512, 160, 112, 224, 24, 64, 64),
    'mixed_4d': (512, 128, 128, 256, 24, 64, 64),
    'mixed_4e': (512, 112, 144, 288, 32, 64, 64),
    'mixed_4f': (528, 256, 160, 320, 32, 128, 128),
    'mixed_5b': (832, 256, 160, 320, 32, 128, 128),
    'mixed_5c': (832, 384, 192, 384, 48, 128, 128),
}


class SelfGating(nn.Module):
    """Feature gating of S3D-G: ``x * sigmoid(W mean_{t,h,w}(x) + b)``.

    Args:
        channels (int): C of the input ``(N, C, T, H, W)``.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = torch.sigmoid(self.fc(x.mean(dim=(2, 3, 4))))
        return x * w[:, :, None, None, None]


class SepConv3d(nn.Module):
    """Separable 3D conv: 1 x k x k (spatial stride) then k_t x 1 x 1 (temporal stride).

    Each conv is followed by norm and activation. ``conv_t`` carries the temporal stride.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: Sequence[int],
                 stride: Sequence[int] = (1, 1, 1),
                 norm_cfg: Optional[Dict] = None,
                 act_cfg: Optional[Dict] = None) -> None:
        super().__init__()
        kt, kh, kw = kernel_size
        st, sh, sw = stride
        self.conv_s = ConvModule(
            in_channels,
            out_channels, (1, kh, kw),
            stride=(1, sh, sw),
            padding=(0, kh // 2, kw // 2),
            conv_cfg=dict(type='Conv3d'),
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        self.conv_t = ConvModule(
            out_channels,
            out_channels, (kt, 1, 1),
            stride=(st, 1, 1),
            padding=(kt // 2, 0, 0),
            conv_cfg=dict(type='Conv3d'),
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_t(self.conv_s(x))


class InceptionBlock3d(nn.Module):
    """Inception block with separable 3x3x3 convs and optional gating (S3D / S3D-G).

    Branches: 1x1x1; 1x1x1 -> sep 3x3x3; 1x1x1 -> sep 3x3x3; max-pool 3x3x3 -> 1x1x1.
    Output: the concatenation ``(N, b0 + b1b + b2b + b3b, T, H, W)``.
    """

    def __init__(self,
                 in_channels: int,
                 b0: int,
                 b1a: int,
                 b1b: int,
                 b2a: int,
                 b2b: int,
                 b3b: int,
                 gating: bool = False,
                 norm_cfg: Optional[Dict] = None,
                 act_cfg: Optional[Dict] = None) -> None:
        super().__init__()
        cfg = dict(conv_cfg=dict(type='Conv3d'), norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.branch0 = ConvModule(in_channels, b0, 1, **cfg)
        self.branch1 = nn.Sequential(
            ConvModule(in_channels, b1a, 1, **cfg),
            SepConv3d(b1a, b1b, (3, 3, 3), norm_cfg=norm_cfg, act_cfg=act_cfg))
        self.branch2 = nn.Sequential(
            ConvModule(in_channels, b2a, 1, **cfg),
            SepConv3d(b2a, b2b, (3, 3, 3), norm_cfg=norm_cfg, act_cfg=act_cfg))
        self.branch3 = nn.Sequential(
            nn.MaxPool3d(kernel_size=3, stride=1, padding=1),
            ConvModule(in_channels, b3b, 1, **cfg))
        self.gating = gating
        if gating:
            self.gate0 = SelfGating(b0)
            self.gate1 = SelfGating(b1b)
            self.gate2 = SelfGating(b2b)
            self.gate3 = SelfGating(b3b)
        self.out_channels = b0 + b1b + b2b + b3b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [self.branch0(x), self.branch1(x), self.branch2(x), self.branch3(x)]
        if self.gating:
            outs = [getattr(self, f'gate{i}')(o) for i, o in enumerate(outs)]
        return torch.cat(outs, dim=1)


@MODELS.register_module()
class S3D(MultiLevelBackboneMixin, NamedStagesMixin, BaseModule):
    """S3D / S3D-G backbone returning a tuple of stages.

    Args:
        in_channels (int): input channels. Defaults to 3.
        gating (bool): S3D-G feature gating. Defaults to False (S3D).
        out_indices (Sequence[int]): stages (0..4) to return. Defaults to ``(4, )``.
        first_temporal_kernel (int): temporal kernel of conv1. Defaults to 3.
        norm_cfg (dict): ``BN3d`` (default), ``SyncBN`` or ``IN3d``.
        act_cfg (dict): activation. Defaults to ``ReLU``.
        frozen_stages (int): stages 0..frozen_stages are frozen. -1: none.
        norm_eval (bool): keep BN layers in eval mode while training.
        with_cp (bool): activation checkpointing per conv / Inception block.
        return_tuple (bool): return a tuple even for one stage (default); ``False``
            for plain mmaction2 heads such as ``I3DHead``.
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')``.
    """

    def __init__(self,
                 in_channels: int = 3,
                 gating: bool = False,
                 out_indices: Sequence[int] = (4, ),
                 first_temporal_kernel: int = 3,
                 norm_cfg: Dict = dict(type='BN3d', requires_grad=True),
                 act_cfg: Dict = dict(type='ReLU', inplace=True),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 return_tuple: bool = True,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        assert all(0 <= i < 5 for i in out_indices), out_indices
        self.gating = gating
        self.out_indices = tuple(out_indices)
        self.norm_cfg = norm_cfg
        self.act_cfg = act_cfg
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        self.return_tuple = return_tuple
        nc = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)

        self.conv1 = SepConv3d(
            in_channels, 64, (first_temporal_kernel, 7, 7), stride=(2, 2, 2), **nc)
        self.pool2 = nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
        self.conv2b = ConvModule(64, 64, 1, conv_cfg=dict(type='Conv3d'), **nc)
        self.conv2c = SepConv3d(64, 192, (3, 3, 3), **nc)
        if gating:
            self.gate2c = SelfGating(192)
        self.pool3 = nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
        self.pool4 = nn.MaxPool3d((3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1))
        self.pool5 = nn.MaxPool3d((2, 2, 2), stride=(2, 2, 2), ceil_mode=True)
        for name, cfg in INCEPTION_CFGS.items():
            self.add_module(name, InceptionBlock3d(*cfg, gating=gating, **nc))
        self.stage_names: List[List[str]] = [
            ['conv1'],
            ['pool2', 'conv2b', 'conv2c'] + (['gate2c'] if gating else []),
            ['pool3', 'mixed_3b', 'mixed_3c'],
            ['pool4', 'mixed_4b', 'mixed_4c', 'mixed_4d', 'mixed_4e', 'mixed_4f'],
            ['pool5', 'mixed_5b', 'mixed_5c'],
        ]
        self.feat_dim = 1024

    # -- stride override ---------------------------------------------------------------
    @property
    def num_stride_stages(self) -> int:
        return len(self.stage_names)

    def temporal_stride_modules(self, stage: int) -> List[nn.Module]:
        """conv1's temporal conv (stage 0), pool4 (stage 3), pool5 (stage 4)."""
        return {0: [self.conv1.conv_t.conv], 3: [self.pool4], 4: [self.pool5]}.get(stage, [])

    # -- init / train ------------------------------------------------------------------
    def init_weights(self) -> None:
        """Kaiming init of convs, gating fc at identity-ish (zero weight, zero bias:
        gate 0.5), then ``init_cfg`` (Pretrained last)."""
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                kaiming_init(m)
            elif isinstance(m, _NormBase) and m.affine:
                constant_init(m, 1)
            elif isinstance(m, SelfGating):
                constant_init(m.fc, 0)
        self._init_from_init_cfg()
        self._is_init = True

    # -- forward -----------------------------------------------------------------------
    def forward(self,
                x: torch.Tensor,
                temporal_strides: StrideSpec = None
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Forward.

        Args:
            x (torch.Tensor): clips ``(N, C, T, H, W)``.
            temporal_strides (dict | Sequence[int], optional): ``{stage: stride}`` for
                stages 0, 3, 4 (the others have temporal stride 1), this call only.

        Returns:
            tuple[torch.Tensor]: stages in ``out_indices`` (see the module docstring).
        """
        strides = self._resolve_strides(temporal_strides)
        outs = []
        with self._applied_temporal_strides(strides):
            for i, names in enumerate(self.stage_names):
                for name in names:
                    m = getattr(self, name)
                    if isinstance(m, nn.MaxPool3d):
                        x = m(x)
                    else:
                        x = self._run(m, x, strides, self.with_cp)
                if i in self.out_indices:
                    outs.append(x)
                if i >= max(self.out_indices):
                    break
        return self._format_outputs(outs)


@MODELS.register_module()
class S3DG(S3D):
    """S3D-G: :class:`S3D` with ``gating=True``."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault('gating', True)
        super().__init__(**kwargs)
