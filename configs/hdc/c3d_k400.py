# HDC full model with C3D (Table 3 "HDC C3D"): IN after every conv, blocks 3, 4, 5
# (conv3 256x4x14x14, conv4 512x2x7x7, conv5 512x1x4x4 after their pools).
_base_ = ['./r3d18_k400.py']

model = dict(
    backbone=dict(
        _delete_=True, type='C3DTrunk', out_indices=(2, 3, 4),
        norm_cfg=dict(type='IN3d', affine=True)),
    head=dict(in_channels=(256, 512, 512)))
