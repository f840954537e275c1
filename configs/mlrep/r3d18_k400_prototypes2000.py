# Fig. 3 (left): K = 2000 prototypes on Kinetics-400 (default 1000).
_base_ = ['./r3d18_k400.py']
model = dict(num_prototypes=2000)
