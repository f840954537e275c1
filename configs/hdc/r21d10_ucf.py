# HDC (r21d10) pretrained on UCF101 split 1 instead of Kinetics-400 (same recipe; the paper
# only pretrains on K400: this variant is for quick runs).
_base_ = ['./r21d10_k400.py']

data_root = 'data/ucf101'
train_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/ucf101_train_split_1_videos.txt',
        data_prefix=dict(video=data_root + '/videos')))
