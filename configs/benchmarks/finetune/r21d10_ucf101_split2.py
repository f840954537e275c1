_base_ = [
    '../_base_/recognizers/r21d10.py', '../_base_/data/ucf101_split2.py', './_base_/schedule.py'
]
