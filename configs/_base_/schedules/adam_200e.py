# Adam lr 1e-3, weight decay 1e-5, 200 epochs, x0.1 at 150 (ctrl_aug on UCF101).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_begin=1, val_interval=10)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FusedOptimWrapperConstructor',  # fused Adam/SGD step (same update)
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-5))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=200, by_epoch=True, milestones=[150], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
