# ctrl_aug with R3D-34 on Kinetics-400 (Table 1, last row).
_base_ = ['./r3d18_k400.py']

model = dict(backbone=dict(depth=34))
