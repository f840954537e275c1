__all__ = []
from .seg_order_rate import SamplingRateHead, SegmentOrderHead  # noqa: E402

__all__ += ['SegmentOrderHead', 'SamplingRateHead']
from .ctrl_aug import (CellProjection, MINECritic,  # noqa: E402
                       TemporalDependencyHead, shuffle_clips)

__all__ += ['CellProjection', 'MINECritic', 'TemporalDependencyHead', 'shuffle_clips']
