# mmaction2 Recognizer3D on the s3d backbone (configs/_base_/models/s3d.py):
# dropout 0.5 + fc; 10-clip softmax averaging at test (average_clips='prob'; mmaction2's
# default None breaks multi-clip testing).
_base_ = ['../../../_base_/models/s3d.py', './recognizer3d.py']
model = dict(
    type='Recognizer3D',
    backbone=dict(return_tuple=False),
    cls_head=dict(
        type='I3DHead',
        in_channels=1024,
        num_classes=101,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=_base_.action_preprocessor)
