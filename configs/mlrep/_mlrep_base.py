# mlrep method base (not runnable on its own): the algorithm without its backbone
# (`algorithm`), the named pipeline pieces and the stage hooks. Defaults (Kinetics-400
# recipe): K = 1000 prototypes, queue 1024, L_mul from 20% of training, levels low / mid /
# high = backbone stages out_indices (1, 2, 3), SyncBN. A paper config adds a backbone, a
# dataset and a schedule from ../_base_/ and assembles `model` and `train_dataloader`.
_base_ = ['../_base_/default_runtime.py']

window_len = 32  # two 16-frame clips + a 16-frame global clip (every 2nd frame)
img_size = 112
algorithm = dict(
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
        ins=1.0,
        proto=0.5,
        mul_high=1.0,
        mul_mid=0.5,
        mul_low=0.3,
        aug_mid=0.5,
        aug_low=0.3,
        ret_high=1.0,
        ret_mid=0.5,
        ret_low=0.3),
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

# pipeline pieces: a child replaces a piece (e.g. color_augs = [...]) and reassembles
# views_aug and train_pipeline
video_open = dict(type='VideoOpen')
sampler = dict(type='MultiLevelWindowSampler', window_len=window_len, max_rate=3.0, global_stride=2)
decode = dict(type='MultiViewDecode')
spatial_augs = [
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomResizedCrop', area_range=(0.2, 1.0)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5)
]
color_augs = [  # drawn per frame, as the authors' code
    dict(type='FrameColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25, p=1.0),
    dict(type='FrameGrayscale', p=0.5)
]
views_aug = dict(type='ViewsApply', transforms=spatial_augs + color_augs)
pack = dict(
    type='PackMultiViewInputs',
    meta_keys=('filename', 'total_frames', 'view_frame_inds', 'window_inds', 'sample_rate',
               'num_decoded_frames', 'num_needed_frames'))
train_pipeline = [video_open, sampler, decode, views_aug, pack]

custom_hooks = [
    dict(
        type='MLRepStageHook',
        mul_start_ratio=0.2,
        queue_start_epoch=10,
        freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
# the BN layers built inside the heads (prototype / level projections, Motion Excitation)
# take no norm_cfg: mmengine turns them into SyncBN when distributed (not in one
# process); tools/train.py drops this on a CPU-only machine (gloo)
sync_bn = 'torch'
