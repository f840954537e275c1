# Table VI row 1: order prediction only.
_base_ = ['./r21d_ucf.py']

model = dict(rate_head=None, neck=None, contrast_loss=None)
