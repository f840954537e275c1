# Table X "Ours" R3D (R3D-10) pretrained on UCF101 (same method settings as r21d_ucf.py).
_base_ = [
    '../_base_/models/r3d10.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/sgd_300e.py',
    './_seg_order_rate_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=16)
