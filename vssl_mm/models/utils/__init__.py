from .distributed import (all_reduce_sum, concat_all_gather, gather_with_local_grad,
                          world_info)

__all__ = ['world_info', 'concat_all_gather', 'gather_with_local_grad', 'all_reduce_sum']
