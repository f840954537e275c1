from .info_nce import InfoNCELoss, dot_similarity, info_nce_logits_loss

__all__ = ['InfoNCELoss', 'dot_similarity', 'info_nce_logits_loss']
from .shuffle_similarity import (DotSimilarity, ShuffleSimilarity,  # noqa: E402
                                 shuffle_distance, shuffle_similarity)

__all__ += ['ShuffleSimilarity', 'DotSimilarity', 'shuffle_distance', 'shuffle_similarity']
from .mine import MINELoss, mine_lower_bound  # noqa: E402

__all__ += ['MINELoss', 'mine_lower_bound']
