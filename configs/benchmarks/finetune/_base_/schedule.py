# Finetune schedule (HDC's, the only one the papers state): SGD lr 0.01, momentum 0.9,
# weight decay 1e-4, batch 32. Epochs and steps are our choice (the papers are silent):
# 150 epochs, lr x0.1 at 60 and 120. Validate every 5 epochs on 1 centre clip; the final
# test (tools/test.py) uses 10 clips x centre crop, softmax averaged.
_base_ = ['../../../_base_/default_runtime.py']
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=150, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=150, by_epoch=True, milestones=[60, 120], gamma=0.1)
]
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'), logger=dict(interval=20))
auto_scale_lr = dict(enable=False, base_batch_size=32)
