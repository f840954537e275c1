# CPU-sized linear probe on the synthetic videos: the finetune synthetic config with the
# backbone frozen in eval mode (LinearProbeRecognizer3D) and a BN + linear head.
#   python tools/train.py configs/benchmarks/linear_probe/r3d18_synthetic.py \
#       --cfg-options model.backbone.pretrained=work_dirs/r3d18_synthetic_backbone.pth
_base_ = ['../finetune/r3d18_synthetic.py']
model = dict(type='LinearProbeRecognizer3D', cls_head=dict(type='BNLinearHead', dropout_ratio=0.0))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0))
work_dir = 'work_dirs/linear_probe_r3d18_synthetic'  # apart from the pretraining's
