from .correspondence import correspondence_from_metainfo, correspondence_matrix
from .cpu_conv import OneDNNConv3d
from .distributed import (all_reduce, all_reduce_with_grad, concat_all_gather,
                          draw_for_global_batch, gather_with_grad, gather_with_local_grad,
                          global_indices, global_offset, world_info)
from .grad_reverse import GradReverse, grad_reverse
from .momentum import batch_shuffle, batch_unshuffle, make_momentum_copy, momentum_update
from .queue import KeyQueue
from .sinkhorn import distributed_sinkhorn

__all__ = [
    'world_info', 'concat_all_gather', 'gather_with_grad', 'gather_with_local_grad', 'all_reduce',
    'all_reduce_with_grad', 'global_offset', 'global_indices', 'draw_for_global_batch',
    'momentum_update', 'make_momentum_copy', 'batch_shuffle', 'batch_unshuffle', 'KeyQueue',
    'distributed_sinkhorn', 'correspondence_matrix', 'correspondence_from_metainfo', 'GradReverse',
    'grad_reverse', 'OneDNNConv3d'
]
