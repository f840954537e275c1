# CPU-sized seg_order_rate on the built-in synthetic videos (vssl_mm.datasets.
# make_synthetic_dataset): R(2+1)D-18 topology at a quarter width (mmaction2's
# ResNet2Plus1d, 128-d last stage), 16-frame clips of n=3 segments at 64x64, rates in
# [1, 3] (so the segments fit 48-frame videos), queue of 64 keys, 6 epochs of Adam.
_base_ = [
    '../_base_/datasets/synthetic.py', '../_base_/schedules/cpu_tiny.py',
    './_seg_order_rate_base.py'
]

max_rate = 3
feat_dim = 128
model = dict(
    _base_.algorithm,
    backbone=dict(
        type='ResNet2Plus1d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        base_channels=16,
        conv_cfg=dict(type='Conv2plus1d'),
        norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3),
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        zero_init_residual=False,
        norm_eval=False),
    order_head=dict(_base_.algorithm.order_head, in_channels=feat_dim, hidden_channels=128),
    rate_head=dict(_base_.algorithm.rate_head, in_channels=feat_dim, max_rate=max_rate),
    neck=dict(_base_.algorithm.neck, in_channels=feat_dim, hidden_channels=feat_dim),
    queue_len=64,
    momentum=0.99)

sampler = dict(_base_.sampler, max_rate=max_rate)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(72, 72), keep_ratio=False),
        dict(type='RandomCrop', size=64),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        # no flip here: on the synthetic classes a horizontal flip turns translate
        # right into left and cw into ccw, so independently flipped key clips would be
        # positives with opposite motion (the paper configs keep flip_ratio=0.5)
        dict(type='Flip', flip_ratio=0.0)
    ])
pack = dict(
    _base_.pack, meta_keys=_base_.pack.meta_keys + ('num_decoded_frames', 'num_needed_frames'))
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, pack]
train_dataloader = dict(
    batch_size=8, num_workers=2, drop_last=True, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
