# HDC ablation, Table 2 row 4: no horizontal flipping.
# The switch is removed from all three views (Phi_o, Phi_s, Phi_t).
_base_ = ['./r3d18_k400.py']

spatial_aug = dict(_base_.spatial_aug, flip=False)
train_pipeline = [_base_.video_open, _base_.sampler, _base_.decode, spatial_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
