# Table V "Classification" (r21d): sampling rates classified (n softmaxes over {1..8},
# cross-entropy) instead of regressed; the regression row is r21d_ucf.py.
_base_ = ['./r21d_ucf.py']

model = dict(rate_head=dict(mode='classification'))
