# Kinetics-400 (mmaction2 layout: tools/data/kinetics).
# Method configs add the pipeline: train_dataloader = dict(dataset=dict(pipeline=...)).
dataset_type = 'VideoSSLDataset'
data_root = 'data/kinetics400'
val_data_prefix = data_root + '/videos_val'
ann_file_train = data_root + '/kinetics400_train_list_videos.txt'
ann_file_val = data_root + '/kinetics400_val_list_videos.txt'

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root + '/videos_train'),
        pipeline=[]))
