# UCF101 split 1 (mmaction2 layout: tools/data/ucf101).
# Method configs add the pipeline: train_dataloader = dict(dataset=dict(pipeline=...)).
dataset_type = 'VideoSSLDataset'
data_root = 'data/ucf101'
val_data_prefix = data_root + '/videos'
ann_file_train = data_root + '/ucf101_train_split_1_videos.txt'
ann_file_val = data_root + '/ucf101_val_split_1_videos.txt'

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=[]))
