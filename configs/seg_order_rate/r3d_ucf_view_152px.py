# Table IX R3D, 152x152 crops, 16 frames: resize 232x174 (128x171 scaled by 152/112).
_base_ = ['./r3d_ucf.py']

model = _base_.view_synthesis
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(232, 174), keep_ratio=False),
        dict(type='RandomCrop', size=152),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.5)
    ])
train_pipeline = [_base_.video_open, _base_.sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
