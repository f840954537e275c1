_base_ = ['../../_base_/models/s3dg.py', './_base_/hmdb51_split1.py']
model = dict(type='VideoFeatureExtractor')
