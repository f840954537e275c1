# HDC fine-tuning protocol on HMDB51 split 1 (R3D-18).
_base_ = ['./r3d18_ucf101_split1.py']

num_classes = 51
model = dict(cls_head=dict(num_classes=num_classes))
data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
