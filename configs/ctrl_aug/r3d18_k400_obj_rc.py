# Table 7 of ctrl_aug, inferred setting: R3D-18 pretrained on Kinetics-400, 100 epochs
# (x0.1 at 70), linear probe; its all-terms row (71.2 / 44.1) is r3d18_k400.py itself
# (Table 1). Every Table 7 row inherits r3d18_k400.py and changes only the loss weights
# (a term with weight 0 builds no module). Evidence: configs/ctrl_aug/README.md.
_base_ = ['./r3d18_k400.py']

# Row L_rc.
model = dict(loss_weights=dict(rc=1.0, mi=0.0, td=0.0))
