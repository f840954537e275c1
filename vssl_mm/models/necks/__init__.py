from .projection import MLPProjection, pool_features

__all__ = ['MLPProjection', 'pool_features']
from .motion_excitation import MotionExcitation  # noqa: E402

__all__ += ['MotionExcitation']
