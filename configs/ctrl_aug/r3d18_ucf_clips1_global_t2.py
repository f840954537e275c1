# Table 4 row K = 1, T_v = 2 (T_v / K T_c = 1.00). One clip has no order: L_td is off
# (the row is the paper's baseline).
_base_ = ['./r3d18_ucf_150e.py']

num_clips = 1
model = dict(
    global_temporal_strides=(1, 2, 2, 2), td_head=None, loss_weights=dict(rc=1.0, mi=1.0, td=0.0))
sampler = dict(_base_.sampler, num_clips=num_clips)
train_pipeline = [_base_.video_open, sampler, _base_.decode, _base_.crop, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
