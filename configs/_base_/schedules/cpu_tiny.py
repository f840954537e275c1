# CPU-sized schedule for the synthetic dataset: a few epochs of Adam.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6, val_begin=1, val_interval=100)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FusedOptimWrapperConstructor',  # fused Adam/SGD step (same update)
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-5))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=6, begin=0, end=6, by_epoch=True, eta_min=1e-5)
]
auto_scale_lr = dict(enable=False, base_batch_size=16)
