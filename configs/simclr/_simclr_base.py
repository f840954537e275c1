# Clip-contrast (SimCLR on clips) method base (not runnable on its own): the algorithm
# without its backbone (`algorithm`) and the named pipeline pieces. Two 16-frame clips per
# video, random resized crop 112, flip, colour jitter, grey; symmetric InfoNCE, tau 0.1.
# A paper config adds a backbone, a dataset and a schedule from ../_base_/ and assembles
# `model` and `train_dataloader` from these pieces.
_base_ = ['../_base_/default_runtime.py']

clip_len = 16
algorithm = dict(
    type='ClipContrast',
    neck=dict(
        type='MLPProjection', in_channels=512, hidden_channels=512, out_channels=128, num_layers=2),
    loss=dict(type='InfoNCELoss', temperature=0.1, gather=True, symmetric=True),
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

# pipeline pieces: a child replaces a piece (e.g. sampler = dict(_base_.sampler, ...))
# and reassembles train_pipeline
video_open = dict(type='VideoOpen')
sampler = dict(type='RandomClipsSampler', clip_len=clip_len, frame_interval=1, num_views=2)
decode = dict(type='MultiViewDecode')
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(-1, 128)),
        dict(type='RandomResizedCrop', area_range=(0.2, 1.0)),
        dict(type='Resize', scale=(112, 112), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
        dict(type='ClipGrayscale', p=0.2)
    ])
pack = dict(type='PackMultiViewInputs')
train_pipeline = [video_open, sampler, decode, views_aug, pack]
