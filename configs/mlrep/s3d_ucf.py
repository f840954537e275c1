# mlrep S3D on UCF101 split 1 (Table 1 S3D/UCF row): the R3D-18 UCF recipe (r3d18_ucf.py)
# with S3D (levels as s3d_k400.py).
_base_ = [
    '../_base_/models/s3d.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/adam_300e.py',
    './_mlrep_base.py'
]

model = dict(
    _base_.algorithm,
    backbone=dict(_base_.algorithm.backbone, out_indices=(2, 3, 4)),  # SyncBN: BN on CPU
    level_channels=(480, 832, 1024),
    num_prototypes=200)
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
custom_hooks = [
    dict(
        type='MLRepStageHook', mul_start_epoch=50, queue_start_epoch=10,
        freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=256)
