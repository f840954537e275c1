# Table 6 row "None": no temporal dependency term.
_base_ = ['./r3d18_ucf_150e.py']

model = dict(td_head=None, loss_weights=dict(rc=1.0, mi=1.0, td=0.0))
