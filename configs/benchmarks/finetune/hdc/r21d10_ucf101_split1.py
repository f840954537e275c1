# HDC fine-tuning protocol, R(2+1)D-10 (IN), UCF101 split 1.
_base_ = ['./r3d18_ucf101_split1.py']

pretrained = 'work_dirs/r21d10_k400/epoch_100.pth'
model = dict(
    backbone=dict(
        _delete_=True,
        type='vssl_mm.ResNet2Plus1dSSL',
        depth=10,
        conv_cfg=dict(type='Conv2plus1d'),
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        out_indices=(3, ),
        return_tuple=False,
        norm_cfg=dict(type='IN3d', affine=True),
        zero_init_residual=False,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')))
