# Table X "Ours" S3D-G pretrained on UCF101: 64-frame clips at 152x152 (1024-d features).
_base_ = [
    '../_base_/models/s3dg.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/sgd_300e.py',
    './_seg_order_rate_base.py'
]

clip_len = 64
feat_dim = 1024
model = dict(
    _base_.algorithm,
    order_head=dict(_base_.algorithm.order_head, in_channels=feat_dim),
    rate_head=dict(_base_.algorithm.rate_head, in_channels=feat_dim),
    neck=dict(_base_.algorithm.neck, in_channels=feat_dim, hidden_channels=feat_dim))
sampler = dict(_base_.sampler, clip_len=clip_len)
# 152x152 crops: resize 232x174 (128x171 scaled by 152/112)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(232, 174), keep_ratio=False),
        dict(type='RandomCrop', size=152),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.5)
    ])
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=16)
