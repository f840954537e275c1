# r21d_synthetic.py with view synthesis: the key is, per sample with p=0.5, the frozen
# generator's view of the query. Train view_synthesis_synthetic.py first, then pass its
# checkpoint: --cfg-options model.view_generator_ckpt=work_dirs/.../epoch_N.pth
_base_ = ['./r21d_synthetic.py']

model = dict(
    view_generator=dict(type='VideoVAE', in_channels=3, base_channels=8, latent_channels=8),
    view_generator_ckpt='work_dirs/view_synthesis_synthetic/epoch_6.pth',
    view_prob=0.5)
