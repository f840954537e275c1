# seg_order_rate method base (not runnable on its own): the algorithm without its backbone
# (`algorithm`), the named pipeline pieces and the view-synthesis switch. Defaults: n = 3
# segments, rates in [1, 8], 16-frame clips, resize 128x171, random crop 112, colour
# jitter, flip; L = 1 * L_order + 0.3 * L_rate + 1 * L_contrast (Eq. 17). A paper config
# adds a backbone, a dataset and a schedule from ../_base_/ and assembles `model` and
# `train_dataloader` from these pieces.
_base_ = ['../_base_/default_runtime.py']

clip_len = 16
num_segments = 3
max_rate = 8
feat_dim = 512
proj_dim = 129  # 128 rounded up to a multiple of n for the shuffle similarity
algorithm = dict(
    type='SegOrderRate',
    order_head=dict(
        type='SegmentOrderHead',
        in_channels=feat_dim,
        num_segments=num_segments,
        hidden_channels=512,
        dropout=0.5,
        loss_weight=1.0),
    rate_head=dict(
        type='SamplingRateHead',
        in_channels=feat_dim,
        num_segments=num_segments,
        max_rate=max_rate,
        mode='regression',
        loss_weight=0.3),
    neck=dict(
        type='MLPProjection',
        in_channels=feat_dim,
        hidden_channels=feat_dim,
        out_channels=proj_dim,
        num_layers=2),
    contrast_loss=dict(
        type='InfoNCELoss',
        temperature=0.07,
        gather=False,
        symmetric=False,
        loss_weight=1.0,
        similarity=dict(type='ShuffleSimilarity', num_parts=num_segments)),
    queue_len=4096,  # a multiple of the global batch (16 x GPUs, up to 256)
    momentum=0.999,
    shuffle_bn=True,  # or SyncBN in backbone.norm_cfg with shuffle_bn=False
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))
# "Ours(view)": the key is, per sample with p=0.5, the frozen generator's view of the
# query instead of another clip (model = dict(_base_.algorithm, **_base_.view_synthesis));
# first: bash tools/dist_train.sh configs/seg_order_rate/view_synthesis_ucf.py 8
view_synthesis = dict(
    view_generator=dict(type='VideoVAE', in_channels=3, base_channels=32, latent_channels=32),
    view_generator_ckpt='work_dirs/view_synthesis_ucf/epoch_30.pth',
    view_prob=0.5)

# pipeline pieces: a child replaces a piece (e.g. sampler = dict(_base_.sampler, ...))
# and reassembles train_pipeline
video_open = dict(type='VideoOpen')
sampler = dict(
    type='SegmentOrderRateSampler',
    clip_len=clip_len,
    num_segments=num_segments,
    max_rate=max_rate,
    min_len=3,
    num_views=2,
    short_video='skip')
decode = dict(type='MultiViewDecode')
# the view-synthesis stage (Sec. III-G: "sampling a video clip from the raw video") trains
# G and the flow estimator on one contiguous clip (consecutive frames, one rate, time
# order), not on the shuffled multi-rate clips of the main stage
view_stage_sampler = dict(
    type='RandomClipsSampler', clip_len=clip_len, frame_interval=1, num_views=1)
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(171, 128), keep_ratio=False),
        dict(type='RandomCrop', size=112),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.5)
    ])
pack = dict(
    type='PackMultiViewInputs',
    meta_keys=('filename', 'order_label', 'seg_rates', 'seg_lengths', 'view_order_labels',
               'view_seg_rates', 'view_frame_inds'))
train_pipeline = [video_open, sampler, decode, views_aug, pack]
