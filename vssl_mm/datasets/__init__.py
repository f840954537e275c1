from .collate import ctrl_aug_collate
from .retrieval_dataset import RetrievalVideoDataset
from .samplers import SeededSampler, sample_seed
from .synthetic import make_synthetic_dataset
from .transforms import *  # noqa: F401,F403
from .video_dataset import SkipBrokenMixin, VideoSSLDataset

__all__ = [
    'SeededSampler', 'sample_seed', 'VideoSSLDataset', 'SkipBrokenMixin', 'RetrievalVideoDataset',
    'make_synthetic_dataset', 'ctrl_aug_collate'
]
