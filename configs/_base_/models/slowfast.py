# SlowFast-R50 (Feichtenhofer et al., ICCV 2019) for 16-frame 112x112 clips: mmaction2's
# slowfast_r50 recipe (slow: R50 with 1x7x7 stem, 1x3x3 res2/res3, 3x1x1 res4/res5
# bottlenecks and lateral connections fast -> slow, 5x1x1 fusion convs; fast: R50 at 1/8 of
# the width (beta = 1/8) with a 5x7x7 stem) with tau = resample_rate = 4 and
# alpha = speed_ratio = 4: of a 16-frame clip the slow pathway sees frames 0, 4, 8, 12 (4
# frames, as SlowFast 4x16) and the fast pathway all 16 (alpha 8 would leave the slow
# pathway 2 frames). No temporal downsampling inside the pathways. 33.56M parameters.
# Type SlowFastLevels = mmaction2's ResNet3dSlowFast with the same state dict (it loads into
# the plain ResNet3dSlowFast with strict=True) that returns fused levels: the slow map
# upsampled in time (nearest) to the fast length, channels [slow, fast]. Levels at
# 16x112x112: 0 (res2) 288x16x28x28, 1 (res3) 576x16x14x14, 2 (res4) 1152x16x7x7,
# 3 (res5) 2304x16x4x4 (slow 256/512/1024/2048 x 4 frames + fast 32/64/128/256 x 16 frames).
# Only ResNet3dSlowFast arguments here, so downstream configs can set type='ResNet3dSlowFast'.
model = dict(
    backbone=dict(
        type='SlowFastLevels',
        pretrained=None,
        resample_rate=4,  # tau: the slow pathway takes every 4th input frame
        speed_ratio=4,  # alpha: the fast pathway has 4x the slow temporal length
        channel_ratio=8,  # 1 / beta: the fast pathway is 8x thinner
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
            norm_cfg=dict(type='BN3d', requires_grad=True),
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
            norm_cfg=dict(type='BN3d', requires_grad=True),
            norm_eval=False)))
