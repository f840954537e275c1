_base_ = ['./ucf101_split1.py']
ann_train = 'data/ucf101/ucf101_train_split_2_videos.txt'
ann_test = 'data/ucf101/ucf101_val_split_2_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_train))
val_dataloader = dict(dataset=dict(ann_file=ann_test))
test_dataloader = dict(dataset=dict(ann_file=ann_test))
