# mlrep R3D-18 on UCF101 split 1: 300 epochs (x0.1 at 200), K = 200, L_mul from epoch 50
# (E = 50 of 300), queue from epoch 10. Tables 1 and 4 (UCF101 rows).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/adam_300e.py',
    './_mlrep_base.py'
]

model = dict(_base_.algorithm, num_prototypes=200)
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
custom_hooks = [
    dict(
        type='MLRepStageHook', mul_start_epoch=50, queue_start_epoch=10,
        freeze_prototypes_epochs=1),
    dict(type='RankConsistencyHook', include_buffers=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=256)
