# Table X "Ours" S3D-G pretrained on UCF101: 64-frame clips at 152x152 (1024-d features).
_base_ = [
    '../_base_/models/s3dg.py', '../_base_/datasets/ucf101.py',
    '../_base_/schedules/sgd_300e.py', '../_base_/default_runtime.py', './_sor_base.py'
]

clip_len = 64
feat_dim = 1024
model = dict(
    type='SegOrderRate',
    order_head=dict(type='SegmentOrderHead', in_channels=feat_dim, num_segments=3,
                    hidden_channels=512, dropout=0.5, loss_weight=1.0),
    rate_head=dict(type='SamplingRateHead', in_channels=feat_dim, num_segments=3,
                   max_rate=8, mode='regression', loss_weight=0.3),
    neck=dict(type='MLPProjection', in_channels=feat_dim, hidden_channels=feat_dim,
              out_channels=129, num_layers=2),
    contrast_loss={{_base_.sor_model.contrast_loss}},
    queue_len=4096,
    momentum=0.999,
    shuffle_bn=True,
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))
views_aug = dict(
    type='ViewsApply',
    transforms=[
        dict(type='Resize', scale=(232, 174), keep_ratio=False),  # 128x171 * 152/112
        dict(type='RandomCrop', size=152),
        dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
             hue=0.0, p=0.8),
        dict(type='Flip', flip_ratio=0.5)
    ])
train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='SegmentOrderRateSampler', clip_len=clip_len, num_segments=3, max_rate=8,
         min_len=3, num_views=2),
    dict(type='MultiViewDecode'), views_aug, {{_base_.pack}}
]
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=16)
