# mlrep S3D on Kinetics-400. Levels: low = stage 2 (mixed_3c, 480 x 8 x 14 x 14), mid =
# stage 3 (mixed_4f, 832 x 4 x 7 x 7), high = stage 4 (mixed_5c, 1024 x 2 x 4 x 4).
_base_ = ['./r3d18_k400.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='S3D',
        gating=False,
        out_indices=(2, 3, 4),
        norm_cfg=dict(type='SyncBN', requires_grad=True)),  # BN on CPU (README)
    level_channels=(480, 832, 1024))
