# HDC fine-tuning protocol (Sec. 4): the pretrained network (IN kept), dropout 0.5 after
# global average pooling, one fc; SGD lr 0.01, momentum 0.9, weight decay 1e-4 (Keras L2
# 5e-5), batch 32 (8 GPUs x 4 or 1 x 32); 16-frame clips, short side 128, random crop 112,
# scale jitter, flip. Test: every non-overlapping 16-frame clip x (4 corners + centre) at
# 112, scores (softmax) averaged. UCF101 split 1 (change the ann files for splits 2, 3).
#   bash tools/dist_train.sh configs/benchmarks/finetune/hdc/r3d18_ucf101_split1.py 8
default_scope = 'mmaction'
custom_imports = dict(imports=['vssl_mm'], allow_failed_imports=False)

pretrained = 'work_dirs/r3d18_k400/epoch_100.pth'  # a full HDC checkpoint
num_classes = 101
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='vssl_mm.ResNet3dSSL',
        depth=18,
        conv1_kernel=(7, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        with_pool2=False,
        out_indices=(3, ),
        return_tuple=False,
        norm_cfg=dict(type='IN3d', affine=True),
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    cls_head=dict(
        type='I3DHead',
        in_channels=512,
        num_classes=num_classes,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, format_shape='NCTHW'))

dataset_type = 'VideoDataset'
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
train_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='RandomRescale', scale_range=(112, 160)),  # scale jitter
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1, test_mode=True),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    # clips centred every 16 frames: the non-overlapping 16-frame clips of the video
    dict(type='UntrimmedSampleFrames', clip_len=16, clip_interval=16),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='vssl_mm.FiveCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# the paper gives no epoch count: 100 epochs, cosine (our choice)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, eta_min=0)]
auto_scale_lr = dict(enable=False, base_batch_size=32)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=5, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
