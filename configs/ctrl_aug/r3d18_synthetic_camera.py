# r3d18_synthetic.py on the camera-motion synthetic style, 90 epochs (figures:
# docs/experiments/ctrl_aug.md). Data: python tools/data/make_synthetic.py
#   --out data/synthetic_camera --style camera --train-per-class 32 --val-per-class 8
# Evaluate: python tools/analysis/eval_synthetic.py configs/ctrl_aug/r3d18_synthetic_camera.py
#   work_dirs/r3d18_synthetic_camera/epoch_90.pth --data-root data/synthetic_camera
_base_ = ['./r3d18_synthetic.py']

data_root = 'data/synthetic_camera'
max_epochs = 90
train_dataloader = dict(
    dataset=dict(ann_file=data_root + '/train.txt', data_prefix=dict(video=data_root)))
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=30))
