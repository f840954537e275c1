from .rank_consistency import RankConsistencyHook

__all__ = ['RankConsistencyHook']
