# Diving-48 V1 (annotation lists from tools/data/diving48/build_annotations.py).
_base_ = ['./video_16x112.py']
data_root = 'data/diving48/videos_128'
ann_train = 'data/diving48/diving48_v1_train_videos.txt'
ann_test = 'data/diving48/diving48_v1_test_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_test, data_prefix=dict(video=data_root)))
