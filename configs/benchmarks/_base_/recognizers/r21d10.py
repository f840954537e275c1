# mmaction2 Recognizer3D on the r21d10 backbone (configs/_base_/models/r21d10.py):
# dropout 0.5 + fc; 10-clip softmax averaging at test (average_clips='prob'; mmaction2's
# default None breaks multi-clip testing).
# pretrained2d=False: a backbone-only file given as backbone.pretrained loads
# (mmaction2's ResNet3d family ignores init_cfg=Pretrained; docs/design.md, pitfall 7)
_base_ = ['../../../_base_/models/r21d10.py', './recognizer3d.py']
model = dict(
    type='Recognizer3D',
    backbone=dict(pretrained2d=False, return_tuple=False),
    cls_head=_base_.i3d_head,
    data_preprocessor=_base_.action_preprocessor)
