from .bn_linear_head import BNLinearHead
from .ctrl_aug import CellProjection, MINECritic, TemporalDependencyHead, shuffle_clips
from .hdc import HDCProjections
from .mlrep import PrototypeHead, TemporalTokenHead
from .seg_order_rate import SamplingRateHead, SegmentOrderHead

__all__ = [
    'SegmentOrderHead', 'SamplingRateHead', 'PrototypeHead', 'TemporalTokenHead', 'HDCProjections',
    'CellProjection', 'MINECritic', 'TemporalDependencyHead', 'shuffle_clips', 'BNLinearHead'
]
