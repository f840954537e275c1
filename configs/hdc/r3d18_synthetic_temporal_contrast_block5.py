# Term ablation of r3d18_synthetic.py (Table 1 row 2 at CPU size): the temporal contrast of
# block 5 only (beta_5 = 1; alpha_3..5 = beta_3 = beta_4 = 0). A zero weight removes the
# term and its projections; backbone, data and schedule are unchanged.
_base_ = ['./r3d18_synthetic.py']

model = dict(sc_weights=(0, 0, 0), tc_weights=(0, 0, 1))
