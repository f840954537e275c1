_base_ = ['./retrieval.py']
test_dataloader = dict(
    dataset=dict(
        ann_file='data/hmdb51/hmdb51_val_split_1_videos.txt',
        gallery_ann_file='data/hmdb51/hmdb51_train_split_1_videos.txt',
        data_prefix=dict(video='data/hmdb51/videos_128')))
