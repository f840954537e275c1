# Table IX S3D-G, 152x152, clip length 16 with view synthesis
# (s3dg_ucf_view.py: 64 frames at 152).
_base_ = ['./s3dg_ucf.py']

model = _base_.view_synthesis
sampler = dict(_base_.sampler, clip_len=16)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
