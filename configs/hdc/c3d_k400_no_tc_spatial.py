# HDC ablation (Sec. 4.1, "Spatial augmentations in Temporal Contrast"), C3D: u_t gets
# no spatial augmentation (short side 128, centre crop 112); u_o and u_s keep the family.
_base_ = ['./c3d_k400.py']

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoOpen'),
    dict(type='HDCViewSampler', clip_len=16),
    dict(type='MultiViewDecode'),
    dict(type='HDCSpatialAugment', short_side=128, crop_size=112, scale_range=(112, 160),
         tc_spatial=False),
    dict(type='PackMultiViewInputs',
         meta_keys=('filename', 'view_frame_inds', 'view_starts', 'view_params',
                    'num_decoded_frames', 'num_needed_frames'))
]))
