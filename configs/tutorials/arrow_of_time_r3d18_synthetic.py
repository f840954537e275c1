# Tutorial "a new method in one file" (docs/tutorials/new_method.md): the model is
# docs/tutorials/arrow_of_time.py, imported below (run from the repository root with it on
# PYTHONPATH); data pipeline, schedule, backbone, projection and InfoNCE settings are the
# baseline's, so only the differences are written (add `_delete_=True` to the model dict
# when the new algorithm does not take the inherited keys).
_base_ = ['../simclr/r3d18_synthetic.py']

custom_imports = dict(
    imports=['vssl_mm', 'docs.tutorials.arrow_of_time'], allow_failed_imports=False)

model = dict(
    type='TutorialArrowOfTime',
    feat_channels=128,  # last stage of R3D-18 at base_channels=16
    loss_weights=dict(aot=1.0, nce=0.5))
