# R3D-10: one basic 3x3x3 block per stage, Hara-style stem 7x7x7 stride (1, 2, 2):
# 14.40M parameters. Stages at 16x112x112: 64x16x28x28, 128x8x14x14, 256x4x7x7, 512x2x4x4.
model = dict(
    backbone=dict(
        type='ResNet3dSSL',
        depth=10,
        conv1_kernel=(7, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        with_pool2=False,
        out_indices=(3, ),
        norm_cfg=dict(type='BN3d', requires_grad=True),
        frozen_stages=-1,
        with_cp=False))
