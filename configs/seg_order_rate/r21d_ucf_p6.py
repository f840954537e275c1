# Table IV row p=[1,6]: per-segment sampling rates drawn from {1, ..., 6}.
_base_ = ['./r21d_ucf.py']

p = 6
model = dict(rate_head=dict(max_rate=p))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoOpen'),
    dict(type='SegmentOrderRateSampler', clip_len=16, num_segments=3, max_rate=p),
    dict(type='MultiViewDecode'), {{_base_.views_aug}}, {{_base_.pack}}
]))
