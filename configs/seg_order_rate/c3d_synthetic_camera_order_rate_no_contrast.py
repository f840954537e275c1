# Table VI row 2 (order + sampling rate, no contrast) of c3d_synthetic_camera.py: the
# CPU learning-signal run of the two prediction tasks (figures:
# docs/experiments/seg_order_rate.md).
_base_ = ['./c3d_synthetic_camera.py']

model = dict(neck=None, contrast_loss=None)
