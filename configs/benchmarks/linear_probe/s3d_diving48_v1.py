_base_ = ['../_base_/recognizers/s3d.py', '../_base_/data/diving48_v1.py', './_base_/schedule.py']
model = dict(
    type='LinearProbeRecognizer3D',
    cls_head=dict(type='BNLinearHead', dropout_ratio=0.0, num_classes=48))
