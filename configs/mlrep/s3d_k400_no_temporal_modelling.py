# Table 3 row "w/o TM" (s3d): no temporal modelling (no L_aug, no L_ret).
_base_ = ['./s3d_k400.py']
model = dict(temporal_mode='none')
