# CPU-sized finetune on the built-in synthetic videos (data/synthetic, see
# configs/simclr/r3d18_synthetic.py): the quarter-width R3D-18 (base_channels=16, 128-d
# output) of the pretraining config, 8-frame clips (interval 2) at 64x64. No flip: the
# synthetic classes include left/right motion. Test: 10 uniform clips, softmax averaged.
#   python tools/train.py configs/benchmarks/finetune/r3d18_synthetic.py \
#       --cfg-options model.backbone.pretrained=work_dirs/r3d18_synthetic_backbone.pth
_base_ = ['../_base_/recognizers/r3d18.py', './_base_/schedule.py']
clip_len = 8
data_root = 'data/synthetic'
model = dict(backbone=dict(base_channels=16), cls_head=dict(in_channels=128, num_classes=8))
train_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=2, num_clips=1),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='vssl_mm.VideoOpen'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=2, num_clips=10, test_mode=True),
    dict(type='vssl_mm.VideoDecode'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=('img_shape', 'num_clips', 'clip_len'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='VideoSSLDataset',
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VideoSSLDataset',
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=10, val_interval=100)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, eta_min=0)]
default_hooks = dict(checkpoint=dict(interval=10, save_best=None), logger=dict(interval=4))
work_dir = 'work_dirs/finetune_r3d18_synthetic'  # apart from the pretraining's
