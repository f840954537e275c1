_base_ = [
    '../_base_/recognizers/r3d34.py', '../_base_/data/ucf101_split2.py', './_base_/schedule.py'
]
model = dict(type='LinearProbeRecognizer3D', cls_head=dict(type='BNLinearHead', dropout_ratio=0.0))
