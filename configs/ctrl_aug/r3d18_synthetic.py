# CPU-sized ctrl_aug on the built-in synthetic videos (vssl_mm.datasets.
# make_synthetic_dataset): R3D-18 topology at a quarter width (128-d last stage), K = 4
# local 8-frame clips and an 8-frame global view at 64x64 (local map 1x2x2, global map
# 4x2x2 with stride 1 in stages 2-3), 2 intensity levels per batch of 8, 6 epochs of Adam.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/cpu_tiny.py', './_ctrl_aug_base.py'
]

num_clips = 4
feat_channels = 128
model = dict(
    _base_.algorithm,
    backbone=dict(base_channels=16, norm_cfg=dict(type='BN3d', requires_grad=True)),  # CPU
    projection=dict(
        _base_.algorithm.projection,
        in_channels=feat_channels,
        hidden_channels=128,
        out_channels=64),
    critic=dict(_base_.algorithm.critic, in_channels=feat_channels, hidden_channels=128),
    td_head=dict(
        _base_.algorithm.td_head,
        in_channels=feat_channels,
        num_clips=num_clips,
        hidden_channels=128))

sampler = dict(_base_.sampler, num_clips=num_clips, clip_len=8, global_len=8)
crop = dict(_base_.crop, out_size=64)
train_pipeline = [_base_.video_open, sampler, _base_.decode, crop, _base_.pack]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    drop_last=True,
    # 2 levels x 4 videos: same-level pairs exist
    collate_fn=dict(_base_.level_collate, samples_per_level=4),
    dataset=dict(pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=4))
auto_scale_lr = dict(enable=False, base_batch_size=16)
