# c3d_synthetic_camera.py with the contrast term weighted 0.1 instead of the paper's 1
# (Eq. 17: 1 * order + 0.3 * rate + 0.1 * contrast): our CPU diagnostic, not a paper row.
# With weight 1 the contrast term keeps the order task at chance in this 30-epoch budget
# (figures: docs/experiments/seg_order_rate.md).
_base_ = ['./c3d_synthetic_camera.py']

model = dict(contrast_loss=dict(loss_weight=0.1))
