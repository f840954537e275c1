# C3D conv trunk (Tran et al., ICCV 2015), no fc: 27.66M parameters.
# Stages at 16x112x112: 64x16x56x56, 128x8x28x28, 256x4x14x14, 512x2x7x7, 512x1x4x4.
# hdc: norm_cfg=dict(type='IN3d', affine=True) inserts IN after every conv.
model = dict(
    backbone=dict(
        type='C3DTrunk', out_indices=(4, ), norm_cfg=None, frozen_stages=-1, with_cp=False))
