# HDC ablation, Table 2 row 1: no colour jittering.
# The switch is removed from all three views (Phi_o, Phi_s, Phi_t).
_base_ = ['./r3d18_k400.py']

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoOpen'),
    dict(type='HDCViewSampler', clip_len=16),
    dict(type='MultiViewDecode'),
    dict(type='HDCSpatialAugment', short_side=128, crop_size=112, scale_range=(112, 160),
         color_jitter=False),
    dict(type='PackMultiViewInputs',
         meta_keys=('filename', 'view_frame_inds', 'view_starts', 'view_params',
                    'num_decoded_frames', 'num_needed_frames'))
]))
