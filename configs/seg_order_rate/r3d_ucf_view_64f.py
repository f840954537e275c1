# Table IX R3D, 112x112, clip length 64 (view synthesis on, as the 16-frame row equals
# Table X "Ours(view)" R3D).
_base_ = ['./r3d_ucf_view.py']

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoOpen'),
    dict(type='SegmentOrderRateSampler', clip_len=64, num_segments=3, max_rate=8),
    dict(type='MultiViewDecode'), {{_base_.views_aug}}, {{_base_.pack}}
]))
