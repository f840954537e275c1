# Clip retrieval (common protocol (c)): 10 uniformly sampled 16-frame clips per video,
# short side 128, centre crop 112; per-video mean of pooled backbone features; test
# videos query the train videos by cosine similarity; R@1/5/10/20/50.
#   python tools/test.py configs/benchmarks/retrieval/<backbone>_<data>.py SSL_CKPT
# SSL_CKPT: a vssl_mm pretraining checkpoint or an exported backbone-only file.
_base_ = ['../../../_base_/default_runtime.py']
clip_len = 16
test_pipeline = [
    dict(type='VideoOpen'),
    dict(type='UniformClipsSampler', clip_len=clip_len, frame_interval=1, num_clips=10),
    dict(type='MultiViewDecode'),
    dict(
        type='ViewsApply',
        transforms=[dict(type='Resize', scale=(-1, 128)),
                    dict(type='CenterCrop', crop_size=112)]),
    dict(type='PackMultiViewInputs', meta_keys=('filename', 'sample_idx', 'retrieval_split'))
]
test_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='RetrievalVideoDataset', pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(type='RetrievalMetric', topk=(1, 5, 10, 20, 50), center=False)
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=50))  # progress: "Epoch(test) [i/N]"
