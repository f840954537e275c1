# mlrep S3D on UCF101 split 1 (Table 1 S3D/UCF row): the R3D-18 UCF schedule with S3D.
_base_ = ['./r3d18_ucf.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='S3D',
        gating=False,
        out_indices=(2, 3, 4),
        norm_cfg=dict(type='SyncBN', requires_grad=True)),  # BN on CPU (README)
    level_channels=(480, 832, 1024))
