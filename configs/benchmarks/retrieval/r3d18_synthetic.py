# CPU-sized retrieval on the synthetic videos: val videos query the train videos, 10
# uniform 8-frame clips (interval 2) per video at 64x64, quarter-width R3D-18.
#   python tools/test.py configs/benchmarks/retrieval/r3d18_synthetic.py SSL_CKPT
_base_ = ['../../_base_/models/r3d18.py', './_base_/retrieval.py']
clip_len = 8
data_root = 'data/synthetic'
model = dict(type='VideoFeatureExtractor', backbone=dict(base_channels=16))
test_pipeline = [
    dict(type='VideoOpen'),
    dict(type='UniformClipsSampler', clip_len=clip_len, frame_interval=2, num_clips=10),
    dict(type='MultiViewDecode'),
    dict(type='ViewsApply', transforms=[dict(type='Resize', scale=(64, 64), keep_ratio=False)]),
    dict(type='PackMultiViewInputs', meta_keys=('filename', 'sample_idx', 'retrieval_split'))
]
test_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(
        ann_file=data_root + '/val.txt',
        gallery_ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline))
default_hooks = dict(logger=dict(interval=4))
work_dir = 'work_dirs/retrieval_r3d18_synthetic'  # apart from the pretraining's
