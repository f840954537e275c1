# Table V "Classification" (c3d): sampling rates classified (n softmaxes over {1..8},
# cross-entropy) instead of regressed; the regression row is c3d_ucf.py.
_base_ = ['./c3d_ucf.py']

model = dict(rate_head=dict(mode='classification'))
