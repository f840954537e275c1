# ctrl_aug method base (not runnable on its own): the algorithm without its backbone
# (`algorithm`), the named pipeline pieces and the level-grouping collate. Defaults: K = 4
# local 16x112x112 clips + 1 global video, L_rc + L_mi + L_td (weights 1), 16 clips per
# GPU. A paper config adds a backbone, a dataset and a schedule from ../_base_/ and
# assembles `model` and `train_dataloader` from these pieces. Choices the paper leaves
# open are listed in configs/ctrl_aug/README.md.
_base_ = ['../_base_/default_runtime.py']

num_clips = 4  # K
clip_len = 16
feat_channels = 512
algorithm = dict(
    type='CtrlAug',
    # SyncBN: batch statistics over the global batch, whose videos are the negatives /
    # MI pairs (becomes BN on CPU; configs/ctrl_aug/README.md); the heads have no BN
    backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
    # f' = f with temporal stride 1 in stages 2 and 3: global map 8x4x4 (T_v = 8),
    # local map 2x4x4 (T_c = 2)
    global_temporal_strides=(1, 2, 1, 1),
    projection=dict(
        type='CellProjection',
        in_channels=feat_channels,
        hidden_channels=feat_channels,
        out_channels=128),
    temperature=0.07,
    critic=dict(type='MINECritic', in_channels=feat_channels, hidden_channels=512),
    td_head=dict(
        type='TemporalDependencyHead',
        kind='gru',
        in_channels=feat_channels,
        num_clips=num_clips,
        hidden_channels=512,
        tau=0.1),
    # L_nce (Table 7's clip-level baseline term): built only when loss_weights has nce > 0
    nce_neck=dict(
        type='MLPProjection',
        in_channels=feat_channels,
        hidden_channels=512,
        out_channels=128,
        num_layers=2),
    nce_temperature=0.1,
    loss_weights=dict(rc=1.0, mi=1.0, td=1.0),
    data_preprocessor=dict(type='MultiViewDataPreprocessor', extra_view_keys=('global_view', )))

# pipeline pieces: a child replaces a piece (e.g. sampler = dict(_base_.sampler, ...))
# and reassembles train_pipeline
video_open = dict(type='VideoOpen')
sampler = dict(
    type='CtrlAugSampler', num_clips=num_clips, clip_len=clip_len, frame_interval=1, global_len=16)
decode = dict(type='MultiViewDecode')
crop = dict(
    type='CtrlAugCrop',
    out_size=112,
    global_area=(0.5, 1.0),
    local_area=(0.25, 1.0),
    global_flip_ratio=0.5,
    local_flip_ratio=0.5)
pack = dict(
    type='PackMultiViewInputs',
    meta_keys=('filename', 'total_frames', 'view_frame_inds', 'ctrl_params', 'num_decoded_frames'),
    extra_view_keys=('global_view', ))
train_pipeline = [video_open, sampler, decode, crop, pack]
# tau_l with the batch-level level choice (Table 5 row 2: 4*4*4*2*4 = 512 levels): each
# rank's 16 clips get 16 / 4 = 4 levels of exactly 4 clips, so a global batch of 128 has
# the paper's 32 levels x 4 clips and every rank has same-level pairs; whole level groups
# in every batch (drop_last; ctrl_aug_collate raises on a partial one)
level_collate = dict(type='ctrl_aug_collate', counts=(4, 4, 4, 2, 4), samples_per_level=4)
