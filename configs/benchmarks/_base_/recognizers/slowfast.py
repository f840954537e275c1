# mmaction2 Recognizer3D on the SlowFast-R50 of configs/_base_/models/slowfast.py, as plain
# mmaction2: ResNet3dSlowFast (returns the res5 pair (slow, fast)) + SlowFastHead (average
# pool each pathway, concatenate fast + slow = 256 + 2048, dropout 0.5, fc); 10-clip
# softmax averaging at test (average_clips='prob'; docs/design.md, pitfall 9). An exported
# SlowFastLevels backbone has ResNet3dSlowFast's keys: backbone.pretrained=BACKBONE.pth loads
# it (strict=True, inside ResNet3dSlowFast.init_weights).
_base_ = ['../../../_base_/models/slowfast.py', './recognizer3d.py']
model = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3dSlowFast'),
    cls_head=dict(
        type='SlowFastHead',
        in_channels=2304,
        num_classes=101,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=_base_.action_preprocessor)
