# HDC full model (Table 1 last row, Table 3 "HDC 3D-ResNet18"): R3D-18 with instance norm,
# Spatial + Temporal Contrast at blocks 3, 4, 5 with alpha = beta = (0.25, 0.5, 1) (Eq. 6),
# linear 128-d projections, tau 0.07, negatives from the global batch.
# Kinetics-400, 16-frame clips, short side 128, crop 112, pixels in [-1, 1];
# SGD lr 0.1, momentum 0.9, weight decay 1e-4 (= Keras L2 5e-5), batch 128 (8 GPUs x 16).
#   bash tools/dist_train.sh configs/hdc/r3d18_k400.py 8
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/sgd_hdc.py', '../_base_/default_runtime.py'
]

clip_len = 16
model = dict(
    type='HDC',
    # blocks 3, 4, 5 of the paper = layer2, layer3, layer4 (128x8x14x14, 256x4x7x7,
    # 512x2x4x4 at 16x112x112); BN replaced by IN (no batch statistics to cheat with)
    backbone=dict(out_indices=(1, 2, 3), norm_cfg=dict(type='IN3d', affine=True)),
    head=dict(type='HDCProjections', in_channels=(128, 256, 512), out_channels=128),
    scales=(3, 4, 5),
    sc_weights=(0.25, 0.5, 1.0),  # alpha_k
    tc_weights=(0.25, 0.5, 1.0),  # beta_k
    loss=dict(type='InfoNCELoss', temperature=0.07, gather=True, symmetric=False),
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))

train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='HDCViewSampler', clip_len=clip_len, frame_interval=1),
    dict(type='MultiViewDecode'),
    # random crop, scale jitter, flip, colour jitter, channel replication; also on u_t
    dict(type='HDCSpatialAugment', short_side=128, crop_size=112, scale_range=(112, 160),
         tc_spatial=True),
    dict(type='PackMultiViewInputs',
         meta_keys=('filename', 'view_frame_inds', 'view_starts', 'view_params',
                    'num_decoded_frames', 'num_needed_frames'))
]
train_dataloader = dict(
    batch_size=16, drop_last=True, dataset=dict(pipeline=train_pipeline))
# Keras' L2 regulariser acts on conv / dense kernels only
optim_wrapper = dict(paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
auto_scale_lr = dict(enable=False, base_batch_size=128)
