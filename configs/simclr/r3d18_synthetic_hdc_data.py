# Control for the learning-signal benchmark: clip contrast (r3d18_synthetic.py) with HDC's
# instance norm, as r3d18_synthetic_instance_norm.py, fed HDC's data as
# configs/hdc/r3d18_synthetic.py gets it: consecutive frames (interval 1), HDC's per-clip
# spatial family (scale jitter 64..88, random 64 crop, flip, colour jitter, channel
# replication) and pixels in [-1, 1]. Clip contrast's two random clips, MLP projection and
# symmetric InfoNCE are unchanged, so what differs from HDC's temporal contrast is its
# heads and loss alone.
_base_ = ['./r3d18_synthetic.py']

model = dict(
    backbone=dict(norm_cfg=dict(type='IN3d', affine=True)),
    data_preprocessor=dict(type='MultiViewDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))

sampler = dict(_base_.sampler, frame_interval=1)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='RandomRescale', scale_range=(64, 88)),
        dict(type='RandomCrop', size=64),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
        dict(type='ChannelReplication', p=0.5)
    ])
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
