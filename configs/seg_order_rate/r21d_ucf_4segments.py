# Table III row n=4: 4 segments (24 orders), projection 128-d (a multiple of n).
_base_ = ['./r21d_ucf.py']

n = 4
model = dict(
    order_head=dict(num_segments=n),
    rate_head=dict(num_segments=n),
    neck=dict(out_channels=128),
    contrast_loss=dict(similarity=dict(num_parts=n)))
sampler = dict(_base_.sampler, num_segments=n)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.views_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
