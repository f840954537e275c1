_base_ = [
    '../_base_/recognizers/slowfast.py', '../_base_/data/hmdb51_split1.py', './_base_/schedule.py'
]
model = dict(cls_head=dict(num_classes=51))
