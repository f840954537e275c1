from .knn_monitor import KNNMonitorHook
from .mlrep_hooks import MLRepStageHook
from .rank_consistency import RankConsistencyHook
from .reliability import FailureInjectionHook, NonFiniteLossHook, RNGStateHook, SkippedVideosHook

__all__ = [
    'RankConsistencyHook', 'KNNMonitorHook', 'MLRepStageHook', 'SkippedVideosHook', 'RNGStateHook',
    'NonFiniteLossHook', 'FailureInjectionHook'
]
