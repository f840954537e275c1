# Clip-contrast baseline (L_nce of ctrl_aug Table 7): R3D-18 on UCF101 split 1,
# Adam 1e-3, 200 epochs, batch 128 (8 GPUs x 16).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/ucf101.py',
    '../_base_/schedules/adam_200e.py', '../_base_/default_runtime.py'
]

clip_len = 16
model = dict(
    type='ClipContrast',
    neck=dict(type='MLPProjection', in_channels=512, hidden_channels=512,
              out_channels=128, num_layers=2),
    loss=dict(type='InfoNCELoss', temperature=0.1, gather=True, symmetric=True),
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))

train_pipeline = [
    dict(type='VideoOpen'),
    dict(type='RandomClipsSampler', clip_len=clip_len, frame_interval=1, num_views=2),
    dict(type='MultiViewDecode'),
    dict(
        type='ViewsApply',
        transforms=[
            dict(type='Resize', scale=(-1, 128)),
            dict(type='RandomResizedCrop', area_range=(0.2, 1.0)),
            dict(type='Resize', scale=(112, 112), keep_ratio=False),
            dict(type='Flip', flip_ratio=0.5),
            dict(type='ClipColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                 hue=0.1, p=0.8),
            dict(type='ClipGrayscale', p=0.2)
        ]),
    dict(type='PackMultiViewInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=128)
