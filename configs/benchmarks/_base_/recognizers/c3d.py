# mmaction2 Recognizer3D on the c3d backbone (configs/_base_/models/c3d.py):
# dropout 0.5 + fc; 10-clip softmax averaging at test (average_clips='prob'; mmaction2's
# default None breaks multi-clip testing).
_base_ = ['../../../_base_/models/c3d.py', './recognizer3d.py']
model = dict(
    type='Recognizer3D',
    backbone=dict(return_tuple=False),
    cls_head=_base_.i3d_head,
    data_preprocessor=_base_.action_preprocessor)
