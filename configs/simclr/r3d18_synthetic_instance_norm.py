# Control for the learning-signal benchmark: r3d18_synthetic.py (clip contrast) with
# HDC's backbone normalisation, instance norm instead of batch norm (no batch statistics
# in the features). Loss, views, data and schedule are unchanged.
_base_ = ['./r3d18_synthetic.py']

model = dict(backbone=dict(norm_cfg=dict(type='IN3d', affine=True)))
