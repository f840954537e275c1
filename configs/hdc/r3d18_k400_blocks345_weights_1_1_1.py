# HDC ablation, Table 1 row 6: SC + TC at blocks 3, 4, 5, weights (1, 1, 1).
# A zero weight removes the term and its projections (backbone unchanged).
_base_ = ['./r3d18_k400.py']

model = dict(sc_weights=(1, 1, 1), tc_weights=(1, 1, 1))
