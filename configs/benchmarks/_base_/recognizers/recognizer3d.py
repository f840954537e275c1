# Parts of the downstream Recognizer3D, read by ./<backbone>.py as _base_.x:
# I3DHead = global average pool, dropout 0.5, fc; average_clips='prob' so multi-clip
# testing averages softmax scores (mmaction2's default None breaks it; docs/design.md,
# pitfall 9). ImageNet normalisation: set model.data_preprocessor.mean/std to the
# pretraining's (HDC: mean=std=[127.5] * 3).
i3d_head = dict(
    type='I3DHead',
    in_channels=512,
    num_classes=101,
    spatial_type='avg',
    dropout_ratio=0.5,
    init_std=0.01,
    average_clips='prob')
action_preprocessor = dict(
    type='ActionDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    format_shape='NCTHW')
