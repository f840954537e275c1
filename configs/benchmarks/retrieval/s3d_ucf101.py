_base_ = ['../../_base_/models/s3d.py', './_base_/ucf101_split1.py']
model = dict(type='VideoFeatureExtractor')
