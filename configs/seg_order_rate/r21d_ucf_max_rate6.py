# Table IV row p=[1,6]: per-segment sampling rates drawn from {1, ..., 6}.
_base_ = ['./r21d_ucf.py']

p = 6
model = dict(rate_head=dict(max_rate=p))
sampler = dict(_base_.sampler, max_rate=p)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
