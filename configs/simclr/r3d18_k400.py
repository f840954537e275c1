# Clip-contrast baseline on Kinetics-400: the UCF101 recipe (r3d18_ucf.py) with K400 data
# and the 100-epoch Adam schedule (x0.1 at 70).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', './_simclr_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=_base_.train_pipeline))
train_cfg = dict(val_interval=10)  # the UCF101 recipe's
auto_scale_lr = dict(enable=False, base_batch_size=128)
