# Table 1 "Training from scratch" / Table 3 random initialisation: the HDC fine-tuning
# protocol with a randomly initialised R3D-18 (IN).
_base_ = ['./r3d18_ucf101_split1.py']

model = dict(backbone=dict(init_cfg=None))
