# R3D-18 (Hara et al., CVPR 2018), stem 7x7x7 stride (1, 2, 2): 33.20M parameters.
# Stages at 16x112x112: 64x16x28x28, 128x8x14x14, 256x4x7x7, 512x2x4x4 (ctrl_aug's local
# map 2x4x4; temporal_strides={2: 1, 3: 1} at forward time gives 8x4x4, same weights).
model = dict(
    backbone=dict(
        type='ResNet3dSSL',
        depth=18,
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
