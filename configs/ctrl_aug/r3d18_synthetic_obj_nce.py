# Term ablation of r3d18_synthetic.py (the Table 7 L_nce row at CPU size): only the
# clip-level InfoNCE between local clips 1 and 2; no region contrast, no MI minimisation,
# no temporal dependency. Data, sampler, crops, levels and schedule are unchanged.
_base_ = ['./r3d18_synthetic.py']

model = dict(
    loss_weights=dict(rc=0.0, mi=0.0, td=0.0, nce=1.0),
    nce_neck=dict(in_channels=128, hidden_channels=128, out_channels=64))
