_base_ = [
    '../_base_/recognizers/r3d34.py', '../_base_/data/hmdb51_split3.py', './_base_/schedule.py'
]
model = dict(cls_head=dict(num_classes=51))
