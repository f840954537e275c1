# Term ablation of r3d18_synthetic.py (the Table 7 L_rc + L_mi row at CPU size): region
# contrast and MI minimisation, no temporal-dependency term. Everything else unchanged.
_base_ = ['./r3d18_synthetic.py']

model = dict(loss_weights=dict(rc=1.0, mi=1.0, td=0.0))
