# Fig. 3 (right): L_mul switched on at E = 0% of training (default 20%).
_base_ = ['./r3d18_k400.py']
custom_hooks = [
    dict(
        type='MLRepStageHook',
        mul_start_ratio=0.0,
        queue_start_epoch=10,
        freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
