# CPU-sized clip-contrast baseline on the built-in synthetic videos
# (python tools/data/make_synthetic.py --out data/synthetic). R3D-18 topology at a
# quarter of the width (base_channels=16), 8-frame clips at 64x64, 6 epochs.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', './_simclr_base.py'
]

clip_len = 8
model = dict(
    _base_.algorithm,
    backbone=dict(base_channels=16),
    neck=dict(_base_.algorithm.neck, in_channels=128, hidden_channels=128, out_channels=64))

sampler = dict(_base_.sampler, clip_len=clip_len, frame_interval=2)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
        dict(type='Resize', scale=(64, 64), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
        dict(type='ClipGrayscale', p=0.2)
    ])
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(batch_size=8, num_workers=2, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
