# mlrep (Qian et al., ICCV 2021): R3D-18 on Kinetics-400, 100 epochs Adam 1e-3 (x0.1 at
# 70), batch 256 (8 GPUs x 32), K = 1000 prototypes, queue 1024, L_mul from 20% (epoch 20).
# Levels: low = res3 (128), mid = res4 (256), high = res5 (512). Tables 1, 2, 3 (R3D-18).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', '../_base_/default_runtime.py'
]

window_len = 32  # two 16-frame clips + a 16-frame global clip (every 2nd frame)
img_size = 112
model = dict(
    type='MLRep',
    # SyncBN on GPUs as the authors (SyncBN on CPU becomes BN: configs/mlrep/README.md)
    backbone=dict(out_indices=(1, 2, 3), norm_cfg=dict(type='SyncBN', requires_grad=True)),
    level_channels=(128, 256, 512),
    proj_channels=128,
    num_prototypes=1000,
    temperature=0.07,
    proto_temperature=0.1,
    sinkhorn_eps=0.05,
    sinkhorn_iters=3,
    queue_length=1024,
    eta=0.05,
    graph='combined',
    temporal_mode='feature',
    temporal_augs=('reverse', ),
    num_tokens=(8, 4, 2),
    aug_batch_negatives=True,
    me_reduction=16,
    loss_weights=dict(
        ins=1.0, proto=0.5,
        mul_high=1.0, mul_mid=0.5, mul_low=0.3,
        aug_mid=0.5, aug_low=0.3,
        ret_high=1.0, ret_mid=0.5, ret_low=0.3),
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='MultiLevelWindowSampler', window_len=window_len, max_rate=3.0,
         global_stride=2),
    dict(type='MultiViewDecode'),
    dict(
        type='ViewsApply',
        transforms=[
            dict(type='Resize', scale=(-1, 128)),
            dict(type='RandomResizedCrop', area_range=(0.2, 1.0)),
            dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
            dict(type='Flip', flip_ratio=0.5),
            dict(type='FrameColorJitter', brightness=0.5, contrast=0.5, saturation=0.5,
                 hue=0.25, p=1.0),
            dict(type='FrameGrayscale', p=0.5)
        ]),
    dict(type='PackMultiViewInputs',
         meta_keys=('filename', 'total_frames', 'view_frame_inds', 'window_inds',
                    'sample_rate', 'num_decoded_frames', 'num_needed_frames'))
]
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=train_pipeline))

custom_hooks = [
    dict(type='MLRepStageHook', mul_start_ratio=0.2, queue_start_epoch=10,
         freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=256)
# the BN layers built inside the heads (prototype / level projections, Motion Excitation)
# take no norm_cfg: mmengine turns them into SyncBN when distributed (not in one
# process); tools/train.py drops this on a CPU-only machine (gloo)
sync_bn = 'torch'
