# Table X "Ours" R3D-10 pretrained on Kinetics-400: batch 32, 30 epochs, x0.1 at 20.
_base_ = [
    '../_base_/models/r3d10.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/sgd_30e.py', './_seg_order_rate_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=32, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=32)
