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
from .ctrl_aug import (ControlledLowLevelAug, CtrlAugCrop, CtrlAugSampler,  # noqa: E402
                       IntensityLevels, ctrl_aug_collate)
__all__ += ['CtrlAugSampler', 'CtrlAugCrop', 'ControlledLowLevelAug', 'IntensityLevels',
            'ctrl_aug_collate']
