from .samplers import SeededSampler, sample_seed
from .synthetic import make_synthetic_dataset
from .transforms import *  # noqa: F401,F403
from .video_dataset import SkipBrokenMixin, VideoSSLDataset

__all__ = [
    'SeededSampler', 'sample_seed', 'VideoSSLDataset', 'SkipBrokenMixin', 'make_synthetic_dataset'
]
