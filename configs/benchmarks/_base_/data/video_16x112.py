# Downstream recognition data, shared by finetune and linear probe (the field's common
# protocol: 16-frame clips, short side 128, 112 crops).
# Train: 1 random 16x1 clip, random resized crop + flip. Val: 1 centre clip.
# Test: 10 uniform clips x centre crop 112, softmax averaged (heads: average_clips='prob').
# Videos: read frame-exactly by VideoOpen + VideoDecode (any container or codec).
dataset_type = 'VideoSSLDataset'
clip_len = 16
train_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1, num_clips=1),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1, num_clips=1, test_mode=True),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1, num_clips=10, test_mode=True),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=('img_shape', 'num_clips', 'clip_len'))
]
# HDC's test (option): every non-overlapping 16-frame clip x centre + 4 corner crops.
hdc_test_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='NonOverlappingClips', clip_len=clip_len),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='FiveCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=('img_shape', 'num_clips', 'clip_len'))
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
