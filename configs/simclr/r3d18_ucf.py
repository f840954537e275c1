# Clip-contrast baseline (the common SimCLR-style video baseline): R3D-18 on UCF101 split 1,
# Adam 1e-3, 200 epochs, batch 128 (8 GPUs x 16).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/adam_200e.py',
    './_simclr_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=128)
