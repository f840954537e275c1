# mlrep SlowFast on Kinetics-400 (Table 3 row "w/ NTM", SlowFast): r3d18_k400.py with the
# SlowFast-R50 backbone of configs/_base_/models/slowfast.py (type SlowFastLevels; tau 4,
# alpha 4, beta 1/8; the paper does not give depth, tau or alpha). Each level fuses the two
# pathways: slow map upsampled in time (nearest) to the fast length, channels [slow, fast],
# so the feature reverse / shuffle and the timestamp tokens (8 / 4 / 2) act on 16 fast
# steps. Levels at 16x112x112: low = res3 (576 = 512 + 64, 16x14x14), mid = res4 (1152 =
# 1024 + 128, 16x7x7), high = res5 (2304 = 2048 + 256, 16x4x4).
_base_ = [
    '../_base_/models/slowfast.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', './_mlrep_base.py'
]

sync_bn_cfg = dict(type='SyncBN', requires_grad=True)  # BN on CPU (README)
model = dict(
    _base_.algorithm,
    backbone=dict(
        out_indices=(1, 2, 3),
        fusion='fast',
        slow_pathway=dict(norm_cfg=sync_bn_cfg),
        fast_pathway=dict(norm_cfg=sync_bn_cfg)),
    level_channels=(576, 1152, 2304))
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=256)
