from .projection import MLPProjection, pool_features

__all__ = ['MLPProjection', 'pool_features']
