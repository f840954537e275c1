# HDC (c3d) pretrained on UCF101 split 1 instead of Kinetics-400 (same recipe as
# c3d_k400.py; the paper only pretrains on K400: this variant is for quick runs).
_base_ = [
    '../_base_/models/c3d.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/sgd_hdc.py',
    './_hdc_base.py'
]

model = dict(
    _base_.algorithm,
    # C3D's base has norm_cfg=None: IN after every conv
    backbone=dict(out_indices=(2, 3, 4), norm_cfg=dict(_delete_=True, type='IN3d', affine=True)),
    head=dict(_base_.algorithm.head, in_channels=(256, 512, 512)))
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
optim_wrapper = dict(paramwise_cfg=_base_.keras_l2)
auto_scale_lr = dict(enable=False, base_batch_size=128)
