# Feature-level temporal augmentations reverse and shuffle (the paper names both; the
# authors' code uses reverse only, our default).
_base_ = ['./r3d18_k400.py']
model = dict(temporal_augs=('reverse', 'shuffle'))
