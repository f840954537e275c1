_base_ = [
    '../_base_/recognizers/r21d10.py', '../_base_/data/ucf101_split1.py', './_base_/schedule.py'
]
model = dict(type='LinearProbeRecognizer3D', cls_head=dict(type='BNLinearHead', dropout_ratio=0.0))
