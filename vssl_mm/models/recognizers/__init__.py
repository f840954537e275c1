from .feature_extractor import VideoFeatureExtractor
from .linear_probe import LinearProbeRecognizer3D

__all__ = ['LinearProbeRecognizer3D', 'VideoFeatureExtractor']
