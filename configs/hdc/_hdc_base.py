# HDC method base (not runnable on its own): the algorithm without its backbone
# (`algorithm`) and the named pipeline pieces. Spatial + Temporal Contrast at blocks 3, 4, 5
# with alpha = beta = (0.25, 0.5, 1) (Eq. 6), linear 128-d projections, tau 0.07,
# negatives from the global batch, instance norm in the backbone, pixels in [-1, 1];
# 16-frame clips, short side 128, crop 112. A paper config adds a backbone, a dataset and
# a schedule from ../_base_/ and assembles `model` and `train_dataloader` from these.
_base_ = ['../_base_/default_runtime.py']

clip_len = 16
algorithm = dict(
    type='HDC',
    # blocks 3, 4, 5 of the paper = layer2, layer3, layer4 of a ResNet (128x8x14x14,
    # 256x4x7x7, 512x2x4x4 at 16x112x112); BN replaced by IN (no batch statistics to
    # cheat with)
    backbone=dict(out_indices=(1, 2, 3), norm_cfg=dict(type='IN3d', affine=True)),
    head=dict(type='HDCProjections', in_channels=(128, 256, 512), out_channels=128),
    scales=(3, 4, 5),
    sc_weights=(0.25, 0.5, 1.0),  # alpha_k
    tc_weights=(0.25, 0.5, 1.0),  # beta_k
    loss=dict(type='InfoNCELoss', temperature=0.07, gather=True, symmetric=False),
    data_preprocessor=dict(type='MultiViewDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))

# pipeline pieces: a child replaces a piece (e.g. spatial_aug = dict(_base_.spatial_aug,
# flip=False)) and reassembles train_pipeline
video_open = dict(type='VideoOpen')
sampler = dict(type='HDCViewSampler', clip_len=clip_len, frame_interval=1)
decode = dict(type='MultiViewDecode')
# random crop, scale jitter, flip, colour jitter, channel replication; also on u_t
spatial_aug = dict(
    type='HDCSpatialAugment',
    short_side=128,
    crop_size=112,
    scale_range=(112, 160),
    tc_spatial=True)
pack = dict(
    type='PackMultiViewInputs',
    meta_keys=('filename', 'view_frame_inds', 'view_starts', 'view_params', 'num_decoded_frames',
               'num_needed_frames'))
train_pipeline = [video_open, sampler, decode, spatial_aug, pack]
# Keras' L2 regulariser acts on conv / dense kernels only (paper configs:
# optim_wrapper = dict(paramwise_cfg=_base_.keras_l2))
keras_l2 = dict(norm_decay_mult=0., bias_decay_mult=0.)
