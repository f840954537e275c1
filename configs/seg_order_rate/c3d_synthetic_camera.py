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
_base_ = [
    '../_base_/models/c3d.py', '../_base_/datasets/synthetic.py', '../_base_/schedules/cpu_tiny.py',
    './_seg_order_rate_base.py'
]

data_root = 'data/synthetic_camera'
max_epochs = 30
max_rate = 3
feat_dim = 128
model = dict(
    _base_.algorithm,
    # C3D's base has norm_cfg=None
    backbone=dict(base_channels=16, norm_cfg=dict(_delete_=True, type='BN3d', requires_grad=True)),
    # the head sizes and queue of r21d_synthetic.py
    order_head=dict(_base_.algorithm.order_head, in_channels=feat_dim, hidden_channels=128),
    rate_head=dict(_base_.algorithm.rate_head, in_channels=feat_dim, max_rate=max_rate),
    neck=dict(_base_.algorithm.neck, in_channels=feat_dim, hidden_channels=feat_dim),
    queue_len=64,
    momentum=0.99)

# the pipeline of r21d_synthetic.py: 64x64 crops, no flip
sampler = dict(_base_.sampler, max_rate=max_rate)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(72, 72), keep_ratio=False),
        dict(type='RandomCrop', size=64),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.0)
    ])
pack = dict(
    _base_.pack, meta_keys=_base_.pack.meta_keys + ('num_decoded_frames', 'num_needed_frames'))
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, pack]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    drop_last=True,
    dataset=dict(
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        eta_min=1e-5)
]
default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=10))
