# c3d_synthetic_camera.py with the contrast term weighted 0.1 instead of the paper's 1
# (Eq. 17: 1 * order + 0.3 * rate + 0.1 * contrast): our CPU diagnostic, not a paper row.
# At weight 1 the order task does not start within 30 CPU epochs; at 0.1 it does
# (README "Fourth session").
_base_ = ['./c3d_synthetic_camera.py']

model = dict(contrast_loss=dict(loss_weight=0.1))
