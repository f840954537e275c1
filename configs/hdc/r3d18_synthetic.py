# CPU-sized HDC on the built-in synthetic videos (vssl_mm.datasets.make_synthetic_dataset):
# R3D-18 topology at a quarter width (base_channels=16: blocks 3, 4, 5 have 32, 64, 128
# channels), IN, 8-frame views at 64x64 (short side 72, scale jitter 64..88), 32-d
# projections, the full HD-NCE (Eq. 6), 6 epochs of Adam.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', '../_base_/default_runtime.py'
]

clip_len = 8
model = dict(
    type='HDC',
    backbone=dict(base_channels=16, out_indices=(1, 2, 3),
                  norm_cfg=dict(type='IN3d', affine=True)),
    head=dict(type='HDCProjections', in_channels=(32, 64, 128), out_channels=32),
    scales=(3, 4, 5),
    sc_weights=(0.25, 0.5, 1.0),
    tc_weights=(0.25, 0.5, 1.0),
    loss=dict(type='InfoNCELoss', temperature=0.07, gather=True, symmetric=False),
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))

train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='HDCViewSampler', clip_len=clip_len, frame_interval=1),
    dict(type='MultiViewDecode'),
    dict(type='HDCSpatialAugment', short_side=72, crop_size=64, scale_range=(64, 88),
         tc_spatial=True),
    dict(type='PackMultiViewInputs',
         meta_keys=('filename', 'view_frame_inds', 'view_starts', 'view_params',
                    'num_decoded_frames', 'num_needed_frames'))
]
train_dataloader = dict(
    batch_size=8, num_workers=2, drop_last=True, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
