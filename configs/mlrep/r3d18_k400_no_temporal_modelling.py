# Table 3 row "w/o TM" (r3d18): no temporal modelling (no L_aug, no L_ret).
_base_ = ['./r3d18_k400.py']
model = dict(temporal_mode='none')
