# Table 2 row "Combined, w/o multi-level": the Eq. 9 graph constrains the high level only.
_base_ = ['./r3d18_k400.py']
model = dict(loss_weights=dict(mul_mid=0.0, mul_low=0.0))
