from .c3d import C3DTrunk
from .resnet2plus1d import ResNet2Plus1dSSL
from .resnet3d import ResNet3dSSL
from .s3d import S3D, S3DG, InceptionBlock3d, SelfGating, SepConv3d
from .slowfast_levels import SlowFastLevels, fuse_pathways
from .temporal_stride import MultiLevelBackboneMixin, temporal_stride_override

__all__ = [
    'C3DTrunk', 'ResNet3dSSL', 'ResNet2Plus1dSSL', 'S3D', 'S3DG', 'InceptionBlock3d', 'SelfGating',
    'SepConv3d', 'SlowFastLevels', 'fuse_pathways', 'MultiLevelBackboneMixin',
    'temporal_stride_override'
]
