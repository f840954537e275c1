# Linear probe: frozen backbone in eval mode (LinearProbeRecognizer3D), BN + linear head
# (BNLinearHead). Schedule is our choice (the papers are silent): SGD lr 0.1, momentum
# 0.9, no weight decay, batch 32, 100 epochs cosine. Test: 10 clips x centre crop.
_base_ = ['../../../_base_/default_runtime.py']
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, eta_min=0)]
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'), logger=dict(interval=20))
auto_scale_lr = dict(enable=False, base_batch_size=32)
