_base_ = [
    '../_base_/recognizers/s3dg.py', '../_base_/data/ucf101_split1.py', './_base_/schedule.py'
]
model = dict(type='LinearProbeRecognizer3D', cls_head=dict(type='BNLinearHead', dropout_ratio=0.0))
