# A plain mmaction2 recognizer for the backbone pretrained by configs/simclr/r3d18_synthetic.py
# (docs/export_to_mmaction2.md): mmaction2's own ResNet3d, I3DHead and VideoDataset; no
# vssl_mm type in the model. The backbone dict is what
# tools/model_converters/extract_backbone.py prints for that checkpoint (ResNet3dSSL ->
# ResNet3d, same parameter names and computation). Data and schedule: the CPU-sized
# finetune config it inherits (8-frame clips at 64x64, 10-clip test).
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/r3d18_synthetic/epoch_6.pth work_dirs/r3d18_synthetic/backbone.pth
#   init_recognizer('configs/benchmarks/mmaction2/r3d18_synthetic.py',
#                   'work_dirs/r3d18_synthetic/backbone.pth', device='cpu')
#   python tools/train.py configs/benchmarks/mmaction2/r3d18_synthetic.py  # (load_from below)
_base_ = ['../finetune/r3d18_synthetic.py']
# Inherited: default_scope='vssl_mm' (its registries are children of mmaction2's, so the
# unprefixed types below are mmaction2's own classes) and custom_imports=['vssl_mm'] (stack
# fixes of docs/design.md pitfall 1, VideoOpen / VideoDecode, the runtime hooks).
load_from = 'work_dirs/r3d18_synthetic/backbone.pth'  # extract_backbone.py's default format
work_dir = 'work_dirs/r3d18_synthetic_mmaction2'  # not the pretraining's work_dirs/r3d18_synthetic
model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet3d',
        depth=18,
        pretrained2d=False,
        temporal_strides=(1, 2, 2, 2),
        conv1_kernel=(7, 7, 7),
        with_pool2=False,
        base_channels=16))
train_dataloader = dict(dataset=dict(type='VideoDataset'))
val_dataloader = dict(dataset=dict(type='VideoDataset'))
test_dataloader = dict(dataset=dict(type='VideoDataset'))
