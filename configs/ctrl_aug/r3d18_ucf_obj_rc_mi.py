# Table 7 row L_rc + L_mi. (Row L_nce alone: configs/simclr/r3d18_ucf.py; row
# L_rc + L_mi + L_td: r3d18_ucf_150e.py.)
_base_ = ['./r3d18_ucf_150e.py']

model = dict(td_head=None, loss_weights=dict(rc=1.0, mi=1.0, td=0.0))
