# HDC full model with R(2+1)D-10 (Table 3 "HDC R(2+1)D-10"): IN everywhere (also between
# the spatial and temporal convs of each (2+1)D conv), blocks 3, 4, 5 = layer2..layer4.
_base_ = [
    '../_base_/models/r21d10.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/sgd_hdc.py', './_hdc_base.py'
]

model = _base_.algorithm  # blocks 3, 4, 5 = layer2..layer4, as R3D-18
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
optim_wrapper = dict(paramwise_cfg=_base_.keras_l2)
auto_scale_lr = dict(enable=False, base_batch_size=128)
