# HMDB51 split 1 (annotation lists from tools/data/hmdb51/build_annotations.py).
_base_ = ['./video_16x112.py']
data_root = 'data/hmdb51/videos_128'
ann_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_test = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
