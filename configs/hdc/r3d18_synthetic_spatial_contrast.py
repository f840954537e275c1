# Term ablation of r3d18_synthetic.py: the spatial-contrast terms of Eq. 6 only
# (alpha_3..5 = 0.25, 0.5, 1; every beta_k = 0). A zero weight removes the term and its
# projections; backbone, data and schedule are unchanged.
_base_ = ['./r3d18_synthetic.py']

model = dict(tc_weights=(0, 0, 0))
