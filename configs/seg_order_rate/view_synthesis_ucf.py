# View-synthesis stage (Sec. III-G, Eq. 13-16) on UCF101 split 1: VAE G, flow estimator O,
# L_view = L_photo + L_KL + L_infomax + L_infomin, on contiguous 16-frame clips
# (view_stage_sampler: consecutive frames, as the paper's "video clip from the raw video";
# the segment shuffle and rates of the main stage would put cuts between frame pairs of
# L_photo). The paper gives no schedule for this stage: Adam 1e-3, 30 epochs (our choice).
# Only G is kept; one G serves every backbone's *_view.py (configs/seg_order_rate/README.md).
_base_ = ['./r21d_ucf.py']

model = dict(
    _delete_=True,
    type='ViewSynthesis',
    generator=dict(type='VideoVAE', in_channels=3, base_channels=32, latent_channels=32),
    flow_estimator=dict(type='FrameFlowEstimator', in_channels=3, base_channels=32, max_flow=8.0),
    feature_extractor=_base_.model.backbone,  # f of Eq. 16, kept at init (frozen)
    train_feature_extractor=False,
    loss_weights=dict(photo=1.0, kl=1.0, infomax=1.0, infomin=1.0),
    eps=1e-3,
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=100)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[20], gamma=0.1)]
train_pipeline = [
    _base_.video_open, _base_.view_stage_sampler, _base_.decode, _base_.views_aug, _base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
