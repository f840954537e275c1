# R(2+1)D-10 (Tran et al., CVPR 2018): one (2+1)D basic block per stage: 14.41M parameters.
# Stages at 16x112x112: 64x16x28x28, 128x8x14x14, 256x4x7x7, 512x2x4x4.
model = dict(
    backbone=dict(
        type='ResNet2Plus1dSSL',
        depth=10,
        conv_cfg=dict(type='Conv2plus1d'),
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        out_indices=(3, ),
        norm_cfg=dict(type='BN3d', requires_grad=True),
        zero_init_residual=False,
        frozen_stages=-1,
        with_cp=False))
