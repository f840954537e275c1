_base_ = [
    '../_base_/recognizers/r3d18.py', '../_base_/data/hmdb51_split2.py', './_base_/schedule.py'
]
model = dict(
    type='LinearProbeRecognizer3D',
    cls_head=dict(type='BNLinearHead', dropout_ratio=0.0, num_classes=51))
