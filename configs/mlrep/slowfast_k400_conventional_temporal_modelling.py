# Table 3 row "w/ CTM" (slowfast): conventional temporal modelling, the reversed / shuffled
# input clips go through the backbone (both pathways) and are L_aug negatives.
_base_ = ['./slowfast_k400.py']
model = dict(temporal_mode='input', temporal_augs=('reverse', 'shuffle'))
