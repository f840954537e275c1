# mlrep R3D-18 on UCF101 split 1: 300 epochs (x0.1 at 200), K = 200, L_mul from epoch 50
# (E = 50 of 300), queue from epoch 10. Tables 1 and 4 (UCF101 rows).
_base_ = ['./r3d18_k400.py']

data_root = 'data/ucf101'
model = dict(num_prototypes=200)
train_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/ucf101_train_split_1_videos.txt',
        data_prefix=dict(video=data_root + '/videos')))
custom_hooks = [
    dict(type='MLRepStageHook', mul_start_epoch=50, queue_start_epoch=10,
         freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
# the schedule of ../_base_/schedules/adam_300e.py (a second base may not redefine keys)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_begin=1, val_interval=10)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=300, by_epoch=True, milestones=[200], gamma=0.1)
]
