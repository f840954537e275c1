# built-in synthetic motion videos (python tools/data/make_synthetic.py --out data/synthetic).
# Method configs add the pipeline: train_dataloader = dict(dataset=dict(pipeline=...)).
dataset_type = 'VideoSSLDataset'
data_root = 'data/synthetic'
val_data_prefix = data_root
ann_file_train = data_root + '/train.txt'
ann_file_val = data_root + '/val.txt'

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, ann_file=ann_file_train, data_prefix=dict(video=data_root), pipeline=[]))
