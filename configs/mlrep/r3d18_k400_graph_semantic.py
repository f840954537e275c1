# Table 2 row "semantic, multi-level": lower levels follow the semantic graph instead of Eq. 9.
_base_ = ['./r3d18_k400.py']
model = dict(graph='semantic')
