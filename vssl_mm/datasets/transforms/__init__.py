from .augment import ClipColorJitter, ClipGrayscale, ViewsApply
from .formatting import PackMultiViewInputs
from .loading import MultiViewDecode, VideoOpen
from .sampling import (RandomClipsSampler, UniformClipsSampler, clip_indices,
                       fit_interval)

__all__ = [
    'VideoOpen', 'MultiViewDecode', 'RandomClipsSampler', 'UniformClipsSampler',
    'ViewsApply', 'ClipColorJitter', 'ClipGrayscale', 'PackMultiViewInputs',
    'clip_indices', 'fit_interval'
]
from .seg_order_rate import SegmentOrderRateSampler, permutations_table  # noqa: E402,F401
__all__ += ["SegmentOrderRateSampler", "permutations_table"]
from .hdc import (ChannelReplication, FiveCrop, HDCSpatialAugment,  # noqa: E402
                  HDCViewSampler, hdc_spatial_transforms)
__all__ += ['HDCViewSampler', 'ChannelReplication', 'HDCSpatialAugment', 'FiveCrop',
            'hdc_spatial_transforms']
