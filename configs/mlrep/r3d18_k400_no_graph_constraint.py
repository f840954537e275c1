# Table 2 row "w/o": no constraint on any level (only L_high = L_ins + L_sem, plus TM).
_base_ = ['./r3d18_k400.py']
model = dict(loss_weights=dict(mul_high=0.0, mul_mid=0.0, mul_low=0.0))
