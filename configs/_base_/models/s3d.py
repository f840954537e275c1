# S3D (Xie et al., ECCV 2018), no logits conv: 7.89M parameters.
# Stages at 16x112x112: 64x8x56x56, 192x8x28x28, 480x8x14x14, 832x4x7x7, 1024x2x4x4.
model = dict(
    backbone=dict(
        type='S3D',
        gating=False,
        out_indices=(4, ),
        norm_cfg=dict(type='BN3d', requires_grad=True),
        frozen_stages=-1,
        with_cp=False))
