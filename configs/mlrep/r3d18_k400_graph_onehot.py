# Table 2 row "onehot, multi-level": lower levels follow the onehot graph instead of Eq. 9.
_base_ = ['./r3d18_k400.py']
model = dict(graph='onehot')
