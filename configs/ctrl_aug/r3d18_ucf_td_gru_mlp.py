# Table 6 row "GRU+MLP": temporal dependency head.
_base_ = ['./r3d18_ucf_150e.py']

model = dict(td_head=dict(kind='gru_mlp'))
