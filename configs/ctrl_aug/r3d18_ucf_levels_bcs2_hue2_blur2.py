# Table 5 row #B/C/S = 2, #H = 2, #G = 2: 32 intensity levels, 32 per
# global batch of 128 (samples_per_level=4 of the base config).
_base_ = ['./r3d18_ucf_150e.py']

train_dataloader = dict(collate_fn=dict(counts=(2, 2, 2, 2, 2)))
