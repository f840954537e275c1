from .augment import ClipColorJitter, ClipGrayscale, ViewsApply
from .eval_sampling import FiveCrop, NonOverlappingClips
from .formatting import PackMultiViewInputs
from .global_local_crop import CtrlAugCrop
from .global_local_sampling import CtrlAugSampler
from .hdc import ChannelReplication, HDCSpatialAugment, HDCViewSampler, hdc_spatial_transforms
from .intensity_levels import ControlledLowLevelAug, IntensityLevels
from .loading import MultiViewDecode, VideoDecode, VideoOpen
from .mlrep import FrameColorJitter, FrameGrayscale, MultiLevelWindowSampler, window_indices
from .sampling import RandomClipsSampler, UniformClipsSampler, clip_indices, fit_interval
from .seg_order_rate import SegmentOrderRateSampler, permutations_table

__all__ = [
    'VideoOpen', 'MultiViewDecode', 'VideoDecode', 'RandomClipsSampler', 'UniformClipsSampler',
    'ViewsApply', 'ClipColorJitter', 'ClipGrayscale', 'PackMultiViewInputs', 'clip_indices',
    'fit_interval', 'NonOverlappingClips', 'FiveCrop', 'SegmentOrderRateSampler',
    'permutations_table', 'MultiLevelWindowSampler', 'FrameColorJitter', 'FrameGrayscale',
    'window_indices', 'HDCViewSampler', 'ChannelReplication', 'HDCSpatialAugment',
    'hdc_spatial_transforms', 'CtrlAugSampler', 'CtrlAugCrop', 'ControlledLowLevelAug',
    'IntensityLevels'
]
