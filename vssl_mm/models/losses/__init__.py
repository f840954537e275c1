from .info_nce import InfoNCELoss, dot_similarity, info_nce_logits_loss
from .mine import MINELoss, mine_lower_bound
from .shuffle_similarity import (DotSimilarity, ShuffleSimilarity, shuffle_distance,
                                 shuffle_similarity)

__all__ = [
    'InfoNCELoss', 'dot_similarity', 'info_nce_logits_loss', 'ShuffleSimilarity', 'DotSimilarity',
    'shuffle_distance', 'shuffle_similarity', 'MINELoss', 'mine_lower_bound'
]
