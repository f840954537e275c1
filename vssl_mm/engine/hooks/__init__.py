from .rank_consistency import RankConsistencyHook

__all__ = ['RankConsistencyHook']
from .mlrep_hooks import MLRepStageHook  # noqa: E402

__all__ += ['MLRepStageHook']
