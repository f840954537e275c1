from .augment import ClipColorJitter, ClipGrayscale, ViewsApply
from .eval_sampling import FiveCrop, NonOverlappingClips
from .formatting import PackMultiViewInputs
from .loading import MultiViewDecode, VideoOpen
from .sampling import (RandomClipsSampler, UniformClipsSampler, clip_indices,
                       fit_interval)

__all__ = [
    'VideoOpen', 'MultiViewDecode', 'RandomClipsSampler', 'UniformClipsSampler',
    'ViewsApply', 'ClipColorJitter', 'ClipGrayscale', 'PackMultiViewInputs',
    'clip_indices', 'fit_interval', 'NonOverlappingClips', 'FiveCrop'
]
