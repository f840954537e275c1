from .knn_monitor import KNNMonitorHook
from .mlrep_hooks import MLRepStageHook
from .rank_consistency import RankConsistencyHook

__all__ = ['RankConsistencyHook', 'KNNMonitorHook', 'MLRepStageHook']
