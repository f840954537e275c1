# mlrep S3D on Kinetics-400. Levels: low = stage 2 (mixed_3c, 480 x 8 x 14 x 14), mid =
# stage 3 (mixed_4f, 832 x 4 x 7 x 7), high = stage 4 (mixed_5c, 1024 x 2 x 4 x 4).
_base_ = [
    '../_base_/models/s3d.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', './_mlrep_base.py'
]

model = dict(
    _base_.algorithm,
    backbone=dict(_base_.algorithm.backbone, out_indices=(2, 3, 4)),  # SyncBN: BN on CPU
    level_channels=(480, 832, 1024))
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=256)
