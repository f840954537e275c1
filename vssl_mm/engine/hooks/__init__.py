from .knn_monitor import KNNMonitorHook
from .rank_consistency import RankConsistencyHook

__all__ = ['RankConsistencyHook', 'KNNMonitorHook']
