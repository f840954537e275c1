# ctrl_aug on Kinetics-400 (Table 1, "Ours R3D-18 Kinetics-400"): 100 epochs, x0.1 at 70.
_base_ = ['./_ctrl_aug_base.py', '../_base_/schedules/adam_100e.py']

data_root = 'data/kinetics400'
train_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/kinetics400_train_list_videos.txt',
        data_prefix=dict(video=data_root + '/videos_train')))
auto_scale_lr = dict(enable=False, base_batch_size=128)
