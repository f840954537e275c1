from .augment import ClipColorJitter, ClipGrayscale, ViewsApply
from .eval_sampling import FiveCrop, NonOverlappingClips
from .formatting import PackMultiViewInputs
from .loading import MultiViewDecode, VideoDecode, VideoOpen
from .sampling import RandomClipsSampler, UniformClipsSampler, clip_indices, fit_interval

__all__ = [
    'VideoOpen', 'MultiViewDecode', 'VideoDecode', 'RandomClipsSampler', 'UniformClipsSampler',
    'ViewsApply', 'ClipColorJitter', 'ClipGrayscale', 'PackMultiViewInputs',
    'clip_indices', 'fit_interval', 'NonOverlappingClips', 'FiveCrop'
]
from .seg_order_rate import SegmentOrderRateSampler, permutations_table  # noqa: E402,F401

__all__ += ["SegmentOrderRateSampler", "permutations_table"]
from .mlrep import (FrameColorJitter, FrameGrayscale, MultiLevelWindowSampler,  # noqa: E402,F401
                    window_indices)

__all__ += ['MultiLevelWindowSampler', 'FrameColorJitter', 'FrameGrayscale', 'window_indices']
from .hdc import (ChannelReplication, HDCSpatialAugment, HDCViewSampler,  # noqa: E402
                  hdc_spatial_transforms)

__all__ += ['HDCViewSampler', 'ChannelReplication', 'HDCSpatialAugment',
            'hdc_spatial_transforms']
from .ctrl_aug import (ControlledLowLevelAug, CtrlAugCrop, CtrlAugSampler,  # noqa: E402
                       IntensityLevels, ctrl_aug_collate)

__all__ += ['CtrlAugSampler', 'CtrlAugCrop', 'ControlledLowLevelAug', 'IntensityLevels',
            'ctrl_aug_collate']
