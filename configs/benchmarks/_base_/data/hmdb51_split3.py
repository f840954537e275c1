_base_ = ['./hmdb51_split1.py']
ann_train = 'data/hmdb51/hmdb51_train_split_3_videos.txt'
ann_test = 'data/hmdb51/hmdb51_val_split_3_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_train))
val_dataloader = dict(dataset=dict(ann_file=ann_test))
test_dataloader = dict(dataset=dict(ann_file=ann_test))
