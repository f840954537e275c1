# seg_order_rate's learning-signal run on CPU: the paper's C3D (with BN) at a quarter
# width (base 16 -> 128-d last block), 16-frame clips of n=3 segments at 64x64, rates in
# [1, 3], the full objective (order + 0.3 rate + MoCo with shuffle similarity), on the
# camera-motion synthetic style, 30 epochs of Adam 3e-4, batch 16 (480 iterations).
# Adam 1e-3 (r21d_synthetic.py) keeps the order task at chance; 3e-4 does not
# (docs/experiments/seg_order_rate.md).
# Data: python tools/data/make_synthetic.py --out data/synthetic_camera --style camera
#   --train-per-class 32 --val-per-class 8
# Evaluate: python tools/analysis/eval_synthetic.py configs/seg_order_rate/
#   c3d_synthetic_camera.py work_dirs/c3d_synthetic_camera/epoch_30.pth
#   --data-root data/synthetic_camera --random-seeds 0 1 2
_base_ = ['./r21d_synthetic.py']

data_root = 'data/synthetic_camera'
max_epochs = 30
model = dict(
    backbone=dict(
        _delete_=True,
        type='C3DTrunk',
        base_channels=16,
        norm_cfg=dict(type='BN3d', requires_grad=True)))
train_dataloader = dict(
    batch_size=16,
    dataset=dict(ann_file=data_root + '/train.txt', data_prefix=dict(video=data_root)))
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, begin=0, end=max_epochs,
         by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=10))
