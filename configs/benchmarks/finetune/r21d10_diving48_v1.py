_base_ = [
    '../_base_/recognizers/r21d10.py', '../_base_/data/diving48_v1.py', './_base_/schedule.py'
]
model = dict(cls_head=dict(num_classes=48))
