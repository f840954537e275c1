# Table 7 row L_nce + L_mi + L_td. (Row L_nce alone: configs/simclr/r3d18_ucf.py; row
# L_rc + L_mi + L_td: r3d18_ucf_150e.py.)
_base_ = ['./r3d18_ucf_150e.py']

model = dict(
    projection=None,
    nce_neck=dict(
        type='MLPProjection', in_channels=512, hidden_channels=512, out_channels=128, num_layers=2),
    nce_temperature=0.1,
    loss_weights=dict(rc=0.0, mi=1.0, td=1.0, nce=1.0))
