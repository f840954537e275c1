"""Run a function on W gloo ranks (CPU processes) and compare with one process.

- :func:`run_on_ranks` spawns ``W`` processes (``torch.multiprocessing``, ``spawn``), joins
  them in a gloo group on a free port and returns what ``fn(rank, world, *args)`` returned
  on each rank (anything ``torch.save`` can write);
- :func:`local_rows` cuts this rank's rows of a global batch;
- :class:`GlobalBatchNorm` stands in for ``SyncBatchNorm`` on CPU (PyTorch's needs a GPU):
  batch statistics over all ranks, differentiable through :func:`all_reduce_with_grad`;
- :func:`rel_error` / :func:`rel_errors` are the error measure of the equivalence tests.
"""
import os
import os.path as osp
import tempfile
import traceback
from typing import Any, Callable, Dict, List

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from vssl_mm.models.utils import all_reduce_with_grad


def _entry(rank: int, world: int, port: int, out_dir: str, fn: Callable, args: tuple) -> None:
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    try:
        dist.init_process_group('gloo', rank=rank, world_size=world)
        result = fn(rank, world, *args)
        dist.barrier()
        torch.save(result, osp.join(out_dir, f'rank{rank}.pt'))
    except BaseException:
        with open(osp.join(out_dir, f'rank{rank}.err'), 'w') as f:
            f.write(traceback.format_exc())
        raise
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def run_on_ranks(fn: Callable,
                 world: int = 2,
                 args: tuple = (),
                 timeout: float = 300.) -> List[Any]:
    """``[fn(0, world, *args), ..., fn(world - 1, world, *args)]``, each run on its own
    gloo rank. ``fn`` must be importable (a module-level function). Raises with the
    ranks' tracebacks if one fails or the run exceeds ``timeout`` seconds."""
    from tests.conftest import free_port
    ctx = mp.get_context('spawn')
    with tempfile.TemporaryDirectory() as out_dir:
        port = free_port()
        procs = [
            ctx.Process(target=_entry, args=(r, world, port, out_dir, fn, args))
            for r in range(world)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout)
        for p in procs:  # only if the timeout hit: end our own processes
            if p.is_alive():
                p.kill()
                p.join()
        errors = []
        for r in range(world):
            err = osp.join(out_dir, f'rank{r}.err')
            if osp.exists(err):
                with open(err) as f:
                    errors.append(f'rank {r}:\n{f.read()}')
        if errors or any(p.exitcode != 0 for p in procs):
            raise RuntimeError(f'ranks failed (exit codes {[p.exitcode for p in procs]}):\n' +
                               '\n'.join(errors))
        return [
            torch.load(osp.join(out_dir, f'rank{r}.pt'), weights_only=False) for r in range(world)
        ]


def local_rows(x, rank: int, world: int):
    """Rows ``rank*B:(rank+1)*B`` of a global batch (a tensor or a list), ``B = len/W``."""
    b = len(x) // world
    return x[rank * b:(rank + 1) * b]


def rel_error(a: torch.Tensor, b: torch.Tensor, floor: float = 0.) -> float:
    """``max |a - b| / max(max |b|, floor)`` (the absolute difference if that is 0).

    ``floor`` keeps tensors whose reference is zero up to rounding (a bias right before a
    normalisation, a critic bias that cancels in the MINE bound) from dividing rounding
    noise by rounding noise."""
    scale = max(b.abs().max().item(), floor)
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else diff


def rel_errors(got: Dict[str, torch.Tensor],
               ref: Dict[str, torch.Tensor],
               floor: float = 1e-3) -> Dict[str, float]:
    """:func:`rel_error` per name, with the floor ``floor * (largest |ref| of all)``."""
    top = max((r.abs().max().item() for r in ref.values() if r.numel()), default=0.)
    return {k: rel_error(got[k], r, floor * top) for k, r in ref.items()}


class GlobalBatchNorm(_BatchNorm):
    """Batch norm with the statistics of the global batch (all ranks), for CPU tests.

    What ``SyncBatchNorm`` computes on GPUs: mean and biased variance over the samples of
    every rank (running variance unbiased), and the exact gradient: the per-rank sums go
    through :func:`all_reduce_with_grad`. On one process it is plain batch norm.
    """

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() < 2:
            raise ValueError(f'expected (N, C, ...) input, got {tuple(x.shape)}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return super().forward(x)
        c = x.shape[1]
        dims = [0] + list(range(2, x.dim()))
        count = x.new_tensor([float(x.numel() // c)])
        stats = all_reduce_with_grad(torch.cat([x.sum(dims), (x * x).sum(dims), count]))
        total = stats[-1].detach()
        mean = stats[:c] / total
        var = stats[c:2 * c] / total - mean * mean
        if self.track_running_stats:
            m = self.momentum
            with torch.no_grad():
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var * total / (total - 1))
                self.num_batches_tracked.add_(1)
        shape = (1, c) + (1, ) * (x.dim() - 2)
        y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y


def convert_to_global_bn(module: nn.Module) -> nn.Module:
    """Replace every ``BatchNorm*d`` of ``module`` (in place) by :class:`GlobalBatchNorm`
    with the same parameters and buffers; returns ``module``."""
    for name, child in module.named_children():
        if isinstance(child, _BatchNorm) and not isinstance(child, GlobalBatchNorm):
            bn = GlobalBatchNorm(child.num_features, child.eps, child.momentum, child.affine,
                                 child.track_running_stats)
            bn.load_state_dict(child.state_dict())  # convert before changing the dtype
            bn.train(child.training)
            setattr(module, name, bn)
        else:
            convert_to_global_bn(child)
    return module
