# Runtime shared by every vssl_mm config (mmaction2's layout).
default_scope = 'vssl_mm'
custom_imports = dict(imports=['vssl_mm'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # gloo is used automatically without CUDA

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

# Local files by default; add dict(type='TensorboardVisBackend') (pip install tensorboard)
# or dict(type='WandbVisBackend') for curves of every loss_<term>.
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
# Augmentations are seeded per sample from (seed, epoch, position) by SeededSampler, so
# runs and resumes are reproducible; the same seed on every rank keeps the sampler in step.
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)

# Checks after every epoch that all ranks hold identical parameters and buffers.
# Per-epoch count of skipped videos, RNG states saved in checkpoints (exact resume), and
# training stopped with the loss term and iteration on NaN/Inf (action='skip' to skip).
custom_hooks = [
    dict(type='RankConsistencyHook', include_buffers=True),
    dict(type='SkippedVideosHook'),
    dict(type='RNGStateHook'),
    dict(type='NonFiniteLossHook', action='raise')
]
