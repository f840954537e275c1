# Table VI row 2: order + sampling-rate prediction, no contrast.
_base_ = ['./r21d_ucf.py']

model = dict(neck=None, contrast_loss=None)
