_base_ = ['../../_base_/models/r21d18.py', './_base_/ucf101_split1.py']
model = dict(type='VideoFeatureExtractor')
