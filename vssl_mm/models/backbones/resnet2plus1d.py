"""R(2+1)D-10 / R(2+1)D-18: mmaction2's ``ResNet2Plus1d`` honouring ``out_indices``.

Tran et al., "A Closer Look at Spatiotemporal Convolutions for Action Recognition"
(CVPR 2018): every 3D conv t x d x d is a spatial 1 x d x d conv to M_i channels, BN, ReLU,
then a temporal t x 1 x 1 conv, with M_i chosen so the parameter count matches the 3D
conv. mmaction2's ``ResNet2Plus1d.forward`` ignores ``out_indices`` and returns the last
stage (docs/design.md, pitfall 8); this subclass returns a tuple of the asked stages, with the
same parameter names (a state dict loads into ``mmaction.models.ResNet2Plus1d`` with
``strict=True``) and the same computation.

Defaults (mmaction2's r2plus1d configs): stem (2+1)D conv 3x7x7 stride (1, 2, 2),
max-pool 1x3x3 stride (1, 2, 2), temporal strides (1, 2, 2, 2), no pool2. At 16x112x112
the stages are 64x16x28x28, 128x8x14x14, 256x4x7x7, 512x2x4x4.
R(2+1)D-10 is ``depth=10`` (= ``depth=18, stage_blocks=(1, 1, 1, 1)``).
"""
from typing import Dict, Optional, Sequence, Tuple

from mmaction.models.backbones.resnet2plus1d import ResNet2Plus1d
from mmaction.models.common import Conv2plus1d

from vssl_mm.registry import MODELS
from .resnet3d import _ResNetSSLMixin, _setup_ssl


@MODELS.register_module()
class ResNet2Plus1dSSL(_ResNetSSLMixin, ResNet2Plus1d):
    """R(2+1)D returning a tuple of stages, with a temporal-stride override.

    Takes the arguments of ``mmaction.models.ResNet2Plus1d`` plus ``with_cp``,
    ``return_tuple`` and ``depth=10`` (see :class:`ResNet3dSSL`). Like mmaction2's
    implementation it never applies ``pool2``; ``with_pool1`` is honoured (default True,
    as mmaction2 always pools). ``norm_cfg`` also sets the norm between the spatial
    and temporal convs of every ``Conv2plus1d`` (unless ``conv_cfg`` has ``norm_cfg``).
    """

    def __init__(self,
                 depth: int = 18,
                 pretrained: Optional[str] = None,
                 pretrained2d: bool = False,
                 stage_blocks: Optional[Tuple[int, ...]] = None,
                 out_indices: Sequence[int] = (3, ),
                 spatial_strides: Sequence[int] = (1, 2, 2, 2),
                 temporal_strides: Sequence[int] = (1, 2, 2, 2),
                 conv1_kernel: Sequence[int] = (3, 7, 7),
                 conv1_stride_t: int = 1,
                 pool1_stride_t: int = 1,
                 inflate: Sequence[int] = (1, 1, 1, 1),
                 conv_cfg: Dict = dict(type='Conv2plus1d'),
                 norm_cfg: Dict = dict(type='BN3d', requires_grad=True),
                 act_cfg: Dict = dict(type='ReLU'),
                 zero_init_residual: bool = False,
                 with_cp: bool = False,
                 return_tuple: bool = True,
                 **kwargs) -> None:
        if depth == 10:
            depth, stage_blocks = 18, stage_blocks or (1, 1, 1, 1)
        # the norm inside Conv2plus1d (between its spatial and temporal convs) follows
        # norm_cfg unless conv_cfg names its own (mmaction2 would keep BN3d there).
        conv_cfg = dict(conv_cfg)
        conv_cfg.setdefault('norm_cfg', dict(norm_cfg))
        if conv_cfg['type'] in ('Conv2plus1d', 'mmaction.Conv2plus1d'):
            # mmcv resolves a string type in the current default scope; without one
            # (plain scripts) 'Conv2plus1d' is not found: pass the class itself.
            conv_cfg['type'] = Conv2plus1d
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
            inflate=inflate,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            zero_init_residual=zero_init_residual,
            with_cp=False,
            **kwargs)
        _setup_ssl(self, with_cp, return_tuple, out_indices)

    def _uses_pool2(self) -> bool:
        return False  # mmaction2's R(2+1)D never applies pool2
