_base_ = [
    '../_base_/recognizers/slowfast.py', '../_base_/data/ucf101_split2.py', './_base_/schedule.py'
]
