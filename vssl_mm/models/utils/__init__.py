from .distributed import (all_reduce_sum, all_reduce_with_grad, concat_all_gather,
                          draw_for_global_batch, gather_with_grad, gather_with_local_grad,
                          world_info)

__all__ = ['world_info', 'concat_all_gather', 'gather_with_grad', 'gather_with_local_grad',
           'all_reduce_sum', 'all_reduce_with_grad', 'draw_for_global_batch']
from .momentum import (batch_shuffle, batch_unshuffle, make_momentum_copy,  # noqa: E402
                       momentum_update)
from .queue import KeyQueue  # noqa: E402

__all__ += ['momentum_update', 'make_momentum_copy', 'batch_shuffle', 'batch_unshuffle',
            'KeyQueue']
from .sinkhorn import distributed_sinkhorn  # noqa: E402

__all__ += ['distributed_sinkhorn']
from .correspondence import (correspondence_from_metainfo,  # noqa: E402
                             correspondence_matrix)
from .grad_reverse import GradReverse, grad_reverse  # noqa: E402

__all__ += ['correspondence_matrix', 'correspondence_from_metainfo', 'GradReverse',
            'grad_reverse']
from .cpu_conv import OneDNNConv3d  # noqa: E402

__all__ += ['OneDNNConv3d']
