# HDC full model (Table 1 last row, Table 3 "HDC 3D-ResNet18"): R3D-18 with instance norm,
# Spatial + Temporal Contrast at blocks 3, 4, 5 with alpha = beta = (0.25, 0.5, 1) (Eq. 6),
# linear 128-d projections, tau 0.07, negatives from the global batch.
# Kinetics-400, 16-frame clips, short side 128, crop 112, pixels in [-1, 1];
# SGD lr 0.1, momentum 0.9, weight decay 1e-4 (= Keras L2 5e-5), batch 128 (8 GPUs x 16).
#   bash tools/dist_train.sh configs/hdc/r3d18_k400.py 8
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/sgd_hdc.py', './_hdc_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
optim_wrapper = dict(paramwise_cfg=_base_.keras_l2)
auto_scale_lr = dict(enable=False, base_batch_size=128)
