# Table 3 row "w/ CTM" (r3d18): conventional temporal modelling, the reversed / shuffled
# input clips go through the backbone and are L_aug negatives.
_base_ = ['./r3d18_k400.py']
model = dict(temporal_mode='input', temporal_augs=('reverse', 'shuffle'))
