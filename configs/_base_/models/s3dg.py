# S3D-G (Xie et al., ECCV 2018), feature gating, no logits conv: 9.12M parameters
# (9.53M with the 400-class logits conv the paper's 9.6M includes).
# Stages at 16x112x112: 64x8x56x56, 192x8x28x28, 480x8x14x14, 832x4x7x7, 1024x2x4x4.
model = dict(
    backbone=dict(
        type='S3D',
        gating=True,
        out_indices=(4, ),
        norm_cfg=dict(type='BN3d', requires_grad=True),
        frozen_stages=-1,
        with_cp=False))
