# Table 4 row K = 4, T_v = 4 (T_v / K T_c = 0.50).
_base_ = ['./r3d18_ucf_150e.py']

num_clips = 4
model = dict(global_temporal_strides=(1, 2, 2, 1), td_head=dict(num_clips=num_clips))
sampler = dict(_base_.sampler, num_clips=num_clips)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.crop, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
