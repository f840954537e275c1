# mlrep SlowFast on Kinetics-400 (Table 3 row "w/ NTM", SlowFast): r3d18_k400.py with the
# SlowFast-R50 backbone of configs/_base_/models/slowfast.py (tau 4, alpha 4, beta 1/8; the
# paper does not give depth, tau or alpha). Each level fuses the two pathways: slow map
# upsampled in time (nearest) to the fast length, channels [slow, fast], so the feature
# reverse / shuffle and the timestamp tokens (8 / 4 / 2) act on 16 fast steps.
# Levels at 16x112x112: low = res3 (576 = 512 + 64, 16x14x14), mid = res4 (1152 = 1024 +
# 128, 16x7x7), high = res5 (2304 = 2048 + 256, 16x4x4).
_base_ = ['./r3d18_k400.py']

model = dict(
    backbone=dict(
        _delete_=True,  # configs/_base_/models/slowfast.py with SyncBN (a test checks it)
        type='SlowFastLevels',
        pretrained=None,
        resample_rate=4,
        speed_ratio=4,
        channel_ratio=8,
        slow_pathway=dict(
            type='resnet3d',
            depth=50,
            pretrained=None,
            lateral=True,
            conv1_kernel=(1, 7, 7),
            dilations=(1, 1, 1, 1),
            conv1_stride_t=1,
            pool1_stride_t=1,
            inflate=(0, 0, 1, 1),
            norm_cfg=dict(type='SyncBN', requires_grad=True),  # BN on CPU (README)
            norm_eval=False),
        fast_pathway=dict(
            type='resnet3d',
            depth=50,
            pretrained=None,
            lateral=False,
            base_channels=8,
            conv1_kernel=(5, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            norm_cfg=dict(type='SyncBN', requires_grad=True),  # BN on CPU (README)
            norm_eval=False),
        out_indices=(1, 2, 3),
        fusion='fast'),
    level_channels=(576, 1152, 2304))
