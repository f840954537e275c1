# HDC ablation, Table 1 row 3: SC + TC at block 5, alpha_5 = beta_5 = 1.
# A zero weight removes the term and its projections (backbone unchanged).
_base_ = ['./r3d18_k400.py']

model = dict(sc_weights=(0, 0, 1), tc_weights=(0, 0, 1))
