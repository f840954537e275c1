# ctrl_aug on Kinetics-400 (Table 1, "Ours R3D-18 Kinetics-400"): 100 epochs, x0.1 at 70.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', './_ctrl_aug_base.py'
]

model = _base_.algorithm
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    drop_last=True,
    collate_fn=_base_.level_collate,
    dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=128)
