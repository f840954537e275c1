# Table 3 row "w/o TM" (slowfast): no temporal modelling (no L_aug, no L_ret).
_base_ = ['./slowfast_k400.py']
model = dict(temporal_mode='none')
