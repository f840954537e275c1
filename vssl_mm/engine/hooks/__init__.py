from .knn_monitor import KNNMonitorHook
from .mlrep_hooks import MLRepStageHook
from .rank_consistency import RankConsistencyHook

__all__ = ['RankConsistencyHook', 'KNNMonitorHook', 'MLRepStageHook']
from .reliability import (FailureInjectionHook, NonFiniteLossHook, RNGStateHook,  # noqa: E402,E501
                          SkippedVideosHook)

__all__ += ['SkippedVideosHook', 'RNGStateHook', 'NonFiniteLossHook', 'FailureInjectionHook']
