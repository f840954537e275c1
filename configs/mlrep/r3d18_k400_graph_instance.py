# Table 2 row "instance, multi-level": lower levels follow the instance graph instead of Eq. 9.
_base_ = ['./r3d18_k400.py']
model = dict(graph='instance')
