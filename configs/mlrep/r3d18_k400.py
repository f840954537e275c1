# mlrep (Qian et al., ICCV 2021): R3D-18 on Kinetics-400, 100 epochs Adam 1e-3 (x0.1 at
# 70), batch 256 (8 GPUs x 32), K = 1000 prototypes, queue 1024, L_mul from 20% (epoch 20).
# Levels: low = res3 (128), mid = res4 (256), high = res5 (512). Tables 1, 2, 3 (R3D-18).
_base_ = [
    '../_base_/models/r3d18.py', '../_base_/datasets/kinetics400.py',
    '../_base_/schedules/adam_100e.py', './_mlrep_base.py'
]

model = _base_.algorithm
train_dataloader = dict(
    batch_size=32, num_workers=8, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=256)
