"""Check that every rank holds the same parameters (DDP must keep them in step)."""
import torch
import torch.distributed as dist
from mmengine.dist.utils import get_comm_device
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vssl_mm.registry import HOOKS


@HOOKS.register_module()
class RankConsistencyHook(Hook):
    """After each epoch (and at the end), gather a float64 checksum of all parameters and
    buffers from every rank; raise if they differ, log them otherwise.

    Cheap (one scalar per tensor group) and catches silent divergence such as an
    un-synchronised queue or a rank that skipped an update.

    Args:
        interval: check every ``interval`` epochs.
        include_buffers: also compare floating-point buffers (queues, BN statistics).
    """

    priority = 'VERY_LOW'

    def __init__(self, interval: int = 1, include_buffers: bool = False) -> None:
        self.interval = interval
        self.include_buffers = include_buffers

    def _checksum(self, model) -> torch.Tensor:
        model = model.module if is_model_wrapper(model) else model
        tensors = list(model.parameters())
        if self.include_buffers:
            tensors += [b for b in model.buffers() if b.is_floating_point()]
        # summed where the tensors are (one host transfer at the end, not one per tensor)
        device = tensors[0].device if tensors else torch.device('cpu')
        total = torch.zeros(2, dtype=torch.float64, device=device)
        for t in tensors:
            d = t.detach().double().to(device)
            total[0] += d.sum()
            total[1] += (d * d).sum()
        return total

    def check(self, runner) -> None:
        local = self._checksum(runner.model)
        if not (dist.is_available() and dist.is_initialized()):
            runner.logger.info(f'parameter checksum {local[0].item():.10e} (1 rank)')
            return
        world = dist.get_world_size()
        local = local.to(get_comm_device())  # nccl gathers CUDA tensors only, gloo CPU
        out = [torch.zeros_like(local) for _ in range(world)]
        dist.all_gather(out, local)
        values = torch.stack(out)
        if not torch.all(values == values[0]):
            raise RuntimeError('parameters differ across ranks: ' +
                               ', '.join(f'rank{r}={v[0].item():.10e}'
                                         for r, v in enumerate(values)))
        runner.logger.info(f'parameters identical on {world} ranks '
                           f'(checksum {local[0].item():.10e})')

    def after_train_epoch(self, runner) -> None:
        if self.every_n_epochs(runner, self.interval) or self.is_last_train_epoch(runner):
            self.check(runner)
