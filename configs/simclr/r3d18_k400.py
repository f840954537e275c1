# Clip-contrast baseline on Kinetics-400: the UCF101 config with K400 data and the
# 100-epoch Adam schedule (x0.1 at 70).
_base_ = ['./r3d18_ucf.py']

data_root = 'data/kinetics400'
train_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/kinetics400_train_list_videos.txt',
        data_prefix=dict(video=data_root + '/videos_train')))
train_cfg = dict(max_epochs=100)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=100, by_epoch=True, milestones=[70], gamma=0.1)
]
