# HDC (r3d18) pretrained on UCF101 split 1 instead of Kinetics-400 (same recipe as
# r3d18_k400.py; the paper only pretrains on K400: this variant is for quick runs).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/sgd_hdc.py',
    './_hdc_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
optim_wrapper = dict(paramwise_cfg=_base_.keras_l2)
auto_scale_lr = dict(enable=False, base_batch_size=128)
