# Linear probe on SlowFast (MLRep Table 3's protocol): SlowFastLevels (same weights and
# keys as ResNet3dSlowFast) returning the fused res5 map [slow upsampled in time, fast];
# BNLinearHead's average pool of it is exactly [avg(slow), avg(fast)].
_base_ = [
    '../_base_/recognizers/slowfast.py', '../_base_/data/hmdb51_split1.py', './_base_/schedule.py'
]
model = dict(
    type='LinearProbeRecognizer3D',
    backbone=dict(type='SlowFastLevels', out_indices=(3, ), return_tuple=False),
    cls_head=dict(type='BNLinearHead', dropout_ratio=0.0, num_classes=51))
