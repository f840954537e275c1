# Tutorial "a new method in one file" (docs/tutorials/new_method.md): the model is
# vssl_mm/models/algorithms/tutorial_arrow_of_time.py; data pipeline, schedule, backbone,
# projection and InfoNCE settings are the baseline's, so only the differences are written
# (add `_delete_=True` to the model dict when the new algorithm does not take the
# inherited keys).
_base_ = ['../simclr/r3d18_synthetic.py']

model = dict(
    type='TutorialArrowOfTime',
    feat_channels=128,  # last stage of R3D-18 at base_channels=16
    loss_weights=dict(aot=1.0, nce=0.5))
