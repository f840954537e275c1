# Ablation setting of Sec. 4.4 (Tables 4-7): the default ctrl_aug recipe pretrained on
# UCF101 for 150 epochs (decay x0.1 at 120: our choice, the paper gives no decay epoch
# for the ablations). This config is the default row of every ablation table
# (K = 4, T_v = 8, 4/4/4/2/4 levels, GRU head, L_rc + L_mi + L_td).
_base_ = ['./r3d18_ucf.py']

train_cfg = dict(max_epochs=150)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=150, by_epoch=True, milestones=[120], gamma=0.1)
]
