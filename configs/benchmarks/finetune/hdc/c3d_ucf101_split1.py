# HDC fine-tuning protocol, C3D (IN after every conv), UCF101 split 1.
_base_ = ['./r3d18_ucf101_split1.py']

pretrained = 'work_dirs/c3d_k400/epoch_100.pth'
model = dict(
    backbone=dict(
        _delete_=True,
        type='vssl_mm.C3DTrunk',
        out_indices=(4, ),
        return_tuple=False,
        norm_cfg=dict(type='IN3d', affine=True),
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')))
