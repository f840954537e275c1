# Table IX S3D-G, 224x224, clip length 16 with view synthesis
# (s3dg_ucf_view.py: 64 frames at 152).
_base_ = ['./s3dg_ucf.py']

model = _base_.view_synthesis
sampler = dict(_base_.sampler, clip_len=16)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(342, 256), keep_ratio=False),
        dict(type='RandomCrop', size=224),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.5)
    ])
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
