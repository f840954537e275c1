# HDC: SGD lr 0.1, momentum 0.9, weight decay 1e-4 (L2 5e-5 is set by the method config),
# batch 128; cosine decay over the run (the paper gives no milestones).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_begin=1, val_interval=5)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FusedOptimWrapperConstructor',  # fused Adam/SGD step (same update)
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, eta_min=0)]
auto_scale_lr = dict(enable=False, base_batch_size=128)
