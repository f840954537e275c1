# Table X "Ours(view)" s3dg UCF101: the key is, per
# sample with p=0.5, the frozen generator's view of the query instead of another clip.
# First: bash tools/dist_train.sh configs/seg_order_rate/view_synthesis_ucf.py 8
_base_ = ['./s3dg_ucf.py']

model = dict(
    view_generator=dict(type='VideoVAE', in_channels=3, base_channels=32,
                        latent_channels=32),
    view_generator_ckpt='work_dirs/view_synthesis_ucf/epoch_30.pth',
    view_prob=0.5)
