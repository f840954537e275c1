# ctrl_aug (Qian et al., 2022) pretraining of R3D-18 on UCF101 split 1: K = 4 local
# 16x112x112 clips + a 16-frame global video, L_rc + L_mi + L_td, Adam 1e-3 / wd 1e-5,
# batch 128 (8 GPUs x 16), 200 epochs, x0.1 at 150 (Sec. 4.2). Table 1/3 rows.
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/adam_200e.py',
    './_ctrl_aug_base.py'
]

model = _base_.algorithm
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    drop_last=True,
    collate_fn=_base_.level_collate,
    dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=128)
