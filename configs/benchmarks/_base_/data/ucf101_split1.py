# UCF101 split 1 (annotation lists from tools/data/ucf101/build_annotations.py).
_base_ = ['./video_16x112.py']
data_root = 'data/ucf101/videos_128'
ann_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_test = 'data/ucf101/ucf101_val_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
