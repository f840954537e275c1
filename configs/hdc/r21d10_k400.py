# HDC full model with R(2+1)D-10 (Table 3 "HDC R(2+1)D-10"): IN everywhere (also between
# the spatial and temporal convs of each (2+1)D conv), blocks 3, 4, 5 = layer2..layer4.
_base_ = ['./r3d18_k400.py']  # backbone as configs/_base_/models/r21d10.py, with IN

model = dict(
    backbone=dict(
        _delete_=True, type='ResNet2Plus1dSSL', depth=10,
        conv_cfg=dict(type='Conv2plus1d'), conv1_kernel=(3, 7, 7), conv1_stride_t=1,
        pool1_stride_t=1, spatial_strides=(1, 2, 2, 2), temporal_strides=(1, 2, 2, 2),
        out_indices=(1, 2, 3), norm_cfg=dict(type='IN3d', affine=True),
        zero_init_residual=False))
