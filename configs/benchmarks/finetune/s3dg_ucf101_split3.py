_base_ = [
    '../_base_/recognizers/s3dg.py', '../_base_/data/ucf101_split3.py', './_base_/schedule.py'
]
