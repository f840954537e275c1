# SGD, 300 epochs, lr x0.1 at epoch 200 (seg_order_rate on UCF101).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_begin=1, val_interval=10)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FusedOptimWrapperConstructor',  # fused Adam/SGD step (same update)
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    clip_grad=None)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=300, by_epoch=True, milestones=[200], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=16)
