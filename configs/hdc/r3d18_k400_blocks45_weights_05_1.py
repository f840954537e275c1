# HDC ablation, Table 1 row 5: SC + TC at blocks 4, 5, weights (0.5, 1).
# A zero weight removes the term and its projections (backbone unchanged).
_base_ = ['./r3d18_k400.py']

model = dict(sc_weights=(0, 0.5, 1), tc_weights=(0, 0.5, 1))
