# Table 3 row "w/ CTM" (slowfast): the conventional temporal augmentation in place of ours
# (Sec. 4.4): the reversed / shuffled input clips go through the backbone and are
# negatives of a clip-level contrast on the high level (plain MLP head, aug_high). None of
# our temporal modelling: no Motion Excitation, no feature-level copies, no L_aug on the
# low / mid levels, no L_ret. L_ins, L_proto and L_mul as in slowfast_k400.py.
# Reasoning: configs/mlrep/README.md ("CTM").
_base_ = ['./slowfast_k400.py']

model = dict(
    temporal_mode='input',
    temporal_augs=('reverse', 'shuffle'),
    loss_weights=dict(
        aug_high=1.0, aug_mid=0.0, aug_low=0.0, ret_high=0.0, ret_mid=0.0, ret_low=0.0))
