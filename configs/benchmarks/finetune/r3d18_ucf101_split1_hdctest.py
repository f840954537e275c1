# HDC's test: every non-overlapping 16-frame clip x 5 crops (centre + corners), softmax
# averaged; one video per batch since the number of clips varies.
_base_ = ['./r3d18_ucf101_split1.py']
test_dataloader = dict(batch_size=1, dataset=dict(pipeline=_base_.hdc_test_pipeline))
