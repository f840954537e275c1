_base_ = ['../../_base_/models/r3d34.py', './_base_/hmdb51_split1.py']
model = dict(type='VideoFeatureExtractor')
