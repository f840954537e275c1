_base_ = ['../../_base_/models/c3d.py', './_base_/hmdb51_split1.py']
model = dict(type='VideoFeatureExtractor')
