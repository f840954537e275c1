# R3D-18 (3D ResNet-18, mmaction2 ResNet3d parameter names). For 16x112x112 input the
# last map is 512x2x4x4.
model = dict(
    backbone=dict(
        type='ResNet3d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        zero_init_residual=False,
        norm_eval=False))
