# CPU-sized mlrep on the built-in synthetic videos (python tools/data/make_synthetic.py
# --out data/synthetic): R3D-18 topology at a quarter width (base_channels=16), a 16-frame
# window (two 8-frame clips + an 8-frame global clip) at 64x64, K = 16, queue 32.
# res5 keeps temporal stride 1 so the high level has 2 time steps for Eq. 13.
# L_mul and the queue switch on at epoch 2 of 6; prototypes frozen in epoch 1.
# No horizontal flip (flip_ratio=0, a choice for this data only): the synthetic classes
# come in pairs that a flip swaps (translate right/left, rotate cw/ccw), and the two short
# clips of a video are flipped independently, so a flip makes positives of opposite
# classes. The paper configs keep the flip (p=0.5).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', './_mlrep_base.py'
]

model = dict(
    type='MLRep',
    backbone=dict(base_channels=16, out_indices=(1, 2, 3), temporal_strides=(1, 2, 2, 1)),
    level_channels=(32, 64, 128),
    proj_channels=64,
    num_prototypes=16,
    queue_length=32,
    num_tokens=(4, 2, 2),
    me_reduction=8,
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

sampler = dict(_base_.sampler, window_len=16)
spatial_augs = [
    dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.0)
]
views_aug = dict(type='ViewsApply', transforms=spatial_augs + _base_.color_augs)
train_pipeline = [_base_.video_open, sampler, _base_.decode, views_aug, _base_.pack]
train_dataloader = dict(
    batch_size=8, num_workers=2, drop_last=True, dataset=dict(pipeline=train_pipeline))
custom_hooks = [
    dict(type='MLRepStageHook', mul_start_epoch=1, queue_start_epoch=1, freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
default_hooks = dict(logger=dict(interval=4))
sync_bn = None  # the heads keep plain BN (the paper configs convert them to SyncBN)
