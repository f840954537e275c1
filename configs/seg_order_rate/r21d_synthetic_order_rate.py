# Term ablation of r21d_synthetic.py (Table VI row 2 at CPU size): segment order and
# sampling rate, no contrast term (and so no projection neck or key encoder queue).
# Data, backbone and schedule are unchanged.
_base_ = ['./r21d_synthetic.py']

model = dict(neck=None, contrast_loss=None)
