"""A queue of keys kept as registered buffers (saved and resumed with checkpoints)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .distributed import concat_all_gather


class KeyQueue(nn.Module):
    """FIFO of ``length`` keys of ``dim`` features (MoCo's dictionary).

    ``queue`` ``(length, dim)`` and ``ptr`` are buffers, so they travel with
    ``state_dict`` (checkpoints, ``--resume``). :meth:`enqueue` gathers the keys of every
    rank first (``concat_all_gather``), so all ranks hold the same queue. The length
    must be a multiple of the global batch (paper Sec. IV-D); a global batch that does not
    divide it raises ``ValueError`` (use ``drop_last=True`` in the train dataloader).

    Args:
        length: number of keys K.
        dim: feature dimension D.
        normalize: L2-normalise the random initial keys.
    """

    def __init__(self, length: int, dim: int, normalize: bool = True) -> None:
        super().__init__()
        if length < 1 or dim < 1:
            raise ValueError(f'length and dim must be >= 1, got {length}, {dim}')
        init = torch.randn(length, dim)
        if normalize:
            init = F.normalize(init, dim=1)
        self.register_buffer('queue', init)
        self.register_buffer('ptr', torch.zeros(1, dtype=torch.long))

    @property
    def length(self) -> int:
        return self.queue.shape[0]

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor, gather: bool = True) -> None:
        """Write ``keys`` ``(B, D)`` (of all ranks if ``gather``) at ``ptr``, oldest out."""
        keys = concat_all_gather(keys) if gather else keys.detach()
        b = keys.shape[0]
        if keys.dim() != 2 or keys.shape[1] != self.queue.shape[1]:
            raise ValueError(f'keys must be (B, {self.queue.shape[1]}), got '
                             f'{tuple(keys.shape)}')
        if self.length % b != 0:
            raise ValueError(f'queue length {self.length} is not a multiple of the global '
                             f'batch {b}; choose a multiple (and drop_last=True in the '
                             'train dataloader)')
        # the pointer stays on the queue's device: no host read (GPU sync) per step
        idx = (self.ptr + torch.arange(b, device=self.ptr.device)) % self.length
        self.queue[idx] = keys.to(self.queue)
        self.ptr.add_(b).remainder_(self.length)

    def forward(self) -> torch.Tensor:
        """The current keys ``(K, D)`` (a detached clone)."""
        return self.queue.clone().detach()
