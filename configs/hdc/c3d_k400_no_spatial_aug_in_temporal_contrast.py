# HDC ablation (Sec. 4.1, "Spatial augmentations in Temporal Contrast"), C3D: u_t gets
# no spatial augmentation (short side 128, centre crop 112); u_o and u_s keep the family.
_base_ = ['./c3d_k400.py']

spatial_aug = dict(_base_.spatial_aug, tc_spatial=False)
train_pipeline = [_base_.video_open, _base_.sampler, _base_.decode, spatial_aug, _base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
