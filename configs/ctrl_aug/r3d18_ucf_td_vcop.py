# Table 6 row "VCOP": temporal dependency head.
_base_ = ['./r3d18_ucf_150e.py']

model = dict(td_head=dict(kind='vcop'))
