from .graph_constraint import (batch_graph, cross_view_instance_loss, cross_view_log_similarity,
                               cross_view_logits, graph_targets, instance_graph_log_weights)
from .info_nce import InfoNCELoss, dot_similarity, info_nce_logits_loss
from .mine import MINELoss, mine_lower_bound
from .shuffle_similarity import (DotSimilarity, ShuffleSimilarity, aligned_dot, shuffle_distance,
                                 shuffle_similarity)
from .swapped_prediction import SwappedPredictionLoss, sinkhorn_targets, swapped_prediction_loss
from .temporal_contrast import timestamp_retrieval_loss, transformed_copy_contrast_loss

__all__ = [
    'InfoNCELoss', 'dot_similarity', 'info_nce_logits_loss', 'ShuffleSimilarity', 'DotSimilarity',
    'shuffle_distance', 'shuffle_similarity', 'aligned_dot', 'MINELoss', 'mine_lower_bound',
    'cross_view_logits', 'cross_view_log_similarity', 'instance_graph_log_weights', 'graph_targets',
    'batch_graph', 'cross_view_instance_loss', 'SwappedPredictionLoss', 'sinkhorn_targets',
    'swapped_prediction_loss', 'transformed_copy_contrast_loss', 'timestamp_retrieval_loss'
]
