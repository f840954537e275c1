# seg_order_rate, R(2+1)D-10 pretrained on UCF101 split 1 (Table X "Ours", R(2+1)D, UCF101;
# Table III n=3, Table IV p=[1,8], Table V regression, Table VI row 4: order + rate +
# contrast + shuffle similarity, no view synthesis).
# L = 1 * L_order + 0.3 * L_rate + 1 * L_contrast (Eq. 17). SGD 1e-3, momentum 0.9,
# wd 5e-4, batch 16, 300 epochs, x0.1 at 200.  bash tools/dist_train.sh <this> 8
_base_ = [
    '../_base_/models/r21d10.py', '../_base_/datasets/ucf101.py', '../_base_/schedules/sgd_300e.py',
    './_seg_order_rate_base.py'
]

model = _base_.algorithm
train_dataloader = dict(batch_size=16, drop_last=True, dataset=dict(pipeline=_base_.train_pipeline))
auto_scale_lr = dict(enable=False, base_batch_size=16)
