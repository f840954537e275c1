# HDC full model with C3D (Table 3 "HDC C3D"): IN after every conv, blocks 3, 4, 5
# (conv3 256x4x14x14, conv4 512x2x7x7, conv5 512x1x4x4 after their pools).
_base_ = [
    '../_base_/models/c3d.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/sgd_hdc.py', './_hdc_base.py'
]

model = dict(
    _base_.algorithm,
    # C3D's base has norm_cfg=None: IN after every conv
    backbone=dict(out_indices=(2, 3, 4), norm_cfg=dict(_delete_=True, type='IN3d', affine=True)),
    head=dict(_base_.algorithm.head, in_channels=(256, 512, 512)))
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
optim_wrapper = dict(paramwise_cfg=_base_.keras_l2)
auto_scale_lr = dict(enable=False, base_batch_size=128)
