# CPU-sized HDC on the built-in synthetic videos (vssl_mm.datasets.make_synthetic_dataset):
# R3D-18 topology at a quarter width (base_channels=16: blocks 3, 4, 5 have 32, 64, 128
# channels), IN, 8-frame views at 64x64 (short side 72, scale jitter 64..88), 32-d
# projections, the full HD-NCE (Eq. 6), 6 epochs of Adam.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', './_hdc_base.py'
]

clip_len = 8
model = dict(
    _base_.algorithm,
    backbone=dict(_base_.algorithm.backbone, base_channels=16),
    head=dict(_base_.algorithm.head, in_channels=(32, 64, 128), out_channels=32))

sampler = dict(_base_.sampler, clip_len=clip_len)
spatial_aug = dict(_base_.spatial_aug, short_side=72, crop_size=64, scale_range=(64, 88))
train_pipeline = [_base_.video_open, sampler, _base_.decode, spatial_aug, _base_.pack]
train_dataloader = dict(
    batch_size=8, num_workers=2, drop_last=True, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
