# Tutorial "a new variant by config inheritance" (docs/tutorials/new_variant.md):
# the clip-contrast baseline on synthetic videos with a softer temperature, clips three
# frames apart and no grayscale. Only the differences are written; the rest is inherited.
_base_ = ['../simclr/r3d18_synthetic.py']

# 1. change a value deep in a dict: only the given keys are replaced (merged)
model = dict(loss=dict(temperature=0.5))

# 2. change a list element: lists are replaced whole, so edit the inherited one
train_pipeline = _base_.train_pipeline
train_pipeline[1].update(frame_interval=3)
train_pipeline[3]['transforms'] = [
    t for t in train_pipeline[3]['transforms'] if t['type'] != 'ClipGrayscale'
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# 3. a new top-level value
train_cfg = dict(max_epochs=4)
