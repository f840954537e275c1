# CPU-sized view-synthesis stage (Eq. 13-16) on the synthetic videos, on contiguous
# 16-frame clips as view_synthesis_ucf.py; its generator is then loaded frozen by
# r21d_synthetic_view.py (model.view_generator_ckpt).
_base_ = ['./r21d_synthetic.py']

model = dict(
    _delete_=True,
    type='ViewSynthesis',
    generator=dict(type='VideoVAE', in_channels=3, base_channels=8, latent_channels=8),
    flow_estimator=dict(type='FrameFlowEstimator', in_channels=3, base_channels=8, max_flow=8.0),
    feature_extractor=_base_.model.backbone,
    train_feature_extractor=False,
    loss_weights=dict(photo=1.0, kl=1.0, infomax=1.0, infomin=1.0),
    eps=1e-3,
    data_preprocessor=dict(type='MultiViewDataPreprocessor'))
train_pipeline = [
    _base_.video_open, _base_.view_stage_sampler, _base_.decode, _base_.views_aug, _base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
