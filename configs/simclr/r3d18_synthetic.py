# CPU-sized clip-contrast baseline on the built-in synthetic videos
# (python tools/data/make_synthetic.py --out data/synthetic). R3D-18 topology at a
# quarter of the width (base_channels=16), 8-frame clips at 64x64, 6 epochs.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', '../_base_/default_runtime.py'
]

clip_len = 8
model = dict(
    type='ClipContrast',
    backbone=dict(base_channels=16),
    neck=dict(type='MLPProjection', in_channels=128, hidden_channels=128,
              out_channels=64, num_layers=2),
    loss=dict(type='InfoNCELoss', temperature=0.1, gather=True, symmetric=True),
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='RandomClipsSampler', clip_len=clip_len, frame_interval=2, num_views=2),
    dict(type='MultiViewDecode'),
    dict(
        type='ViewsApply',
        transforms=[
            dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
            dict(type='Resize', scale=(64, 64), keep_ratio=False),
            dict(type='Flip', flip_ratio=0.5),
            dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                 hue=0.1, p=0.8),
            dict(type='ClipGrayscale', p=0.2)
        ]),
    dict(type='PackMultiViewInputs')
]
train_dataloader = dict(
    batch_size=8, num_workers=2, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
