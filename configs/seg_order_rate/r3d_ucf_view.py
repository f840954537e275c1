# Table X "Ours(view)" r3d UCF101: the key is, per
# sample with p=0.5, the frozen generator's view of the query instead of another clip.
# First: bash tools/dist_train.sh configs/seg_order_rate/view_synthesis_ucf.py 8
# (view_synthesis of _seg_order_rate_base.py)
_base_ = ['./r3d_ucf.py']

model = _base_.view_synthesis
