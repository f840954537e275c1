__all__ = []
from .seg_order_rate import SamplingRateHead, SegmentOrderHead  # noqa: E402

__all__ += ['SegmentOrderHead', 'SamplingRateHead']
from .mlrep import PrototypeHead, TemporalTokenHead  # noqa: E402

__all__ += ['PrototypeHead', 'TemporalTokenHead']
from .hdc import HDCProjections  # noqa: E402

__all__ += ['HDCProjections']
from .ctrl_aug import (CellProjection, MINECritic,  # noqa: E402
                       TemporalDependencyHead, shuffle_clips)

__all__ += ['CellProjection', 'MINECritic', 'TemporalDependencyHead', 'shuffle_clips']
