_base_ = [
    '../_base_/recognizers/slowfast.py', '../_base_/data/ucf101_split1.py', './_base_/schedule.py'
]
