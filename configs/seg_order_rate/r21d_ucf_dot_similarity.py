# Table VI row 3: order + rate + contrast with the plain dot product (cosine) instead of
# the shuffle similarity; 128-d projection.
_base_ = ['./r21d_ucf.py']

model = dict(
    neck=dict(out_channels=128),
    contrast_loss=dict(similarity=dict(_delete_=True, type='DotSimilarity')))
