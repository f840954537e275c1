# Table IX R3D, 112x112, clip length 64 (view synthesis on, as the 16-frame row
# equals Table X "Ours(view)" R3D).
_base_ = ['./r3d_ucf.py']

model = _base_.view_synthesis
sampler = dict(_base_.sampler, clip_len=64)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
