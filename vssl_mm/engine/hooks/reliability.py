"""Hooks that keep long runs honest: skipped-video counts, RNG state in checkpoints,
non-finite loss guard, and a failure injector for testing fault handling.

* :class:`SkippedVideosHook` sums, per epoch and over all ranks, the videos the dataset
  skipped (``SkipBrokenMixin`` puts ``skipped_videos`` into the metainfo of the sample
  it returned instead, so counts made inside dataloader workers reach the main process)
  and logs ``Epoch N: skipped K video loads (...)``; the count is also a logged scalar.
* :class:`RNGStateHook` saves python / numpy / torch (and, with CUDA, the GPU's) RNG
  states into each checkpoint (as tensors and lists of ints, so the file loads under
  ``weights_only=True``) and restores them on resume: model-side randomness (dropout,
  shuffle-BN permutations, random levels in a collate function) then continues as in an
  uninterrupted run.
* :class:`NonFiniteLossHook` checks every ``loss_<term>`` before the backward pass; on a
  NaN/Inf it raises an error naming the term and iteration (``action='raise'``), or skips
  the optimiser step (``action='skip'``, up to ``max_skips`` in a row). The decision is
  all-reduced so every rank raises or skips together (no rank left in a collective).
* :class:`FailureInjectionHook` raises on one rank at one iteration (tests of item 7).
"""
import random
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.distributed as dist
from mmengine.dist.utils import get_comm_device
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vssl_mm.models.utils.distributed import all_reduce
from vssl_mm.registry import HOOKS


def _dist_on() -> bool:
    return dist.is_available() and dist.is_initialized()


def _all_reduce(values: Sequence[float], op: str = 'sum') -> List[float]:
    """Reduce python numbers over ranks with the package's one :func:`all_reduce`, from a
    tensor on the backend's device (nccl reduces CUDA tensors only; gloo CPU ones)."""
    if not _dist_on():
        return [float(v) for v in values]
    t = torch.tensor(list(values), dtype=torch.float64, device=get_comm_device())
    return all_reduce(t, op=op).tolist()


def _unwrap(model):
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Log per epoch how many video loads were skipped (all ranks and workers).

    Args:
        max_listed: file names listed in the epoch line (rank 0's).
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, max_listed: int = 5) -> None:
        self.max_listed = max_listed
        self._count = 0
        self._names: Dict[str, str] = {}

    def before_train_epoch(self, runner) -> None:
        self._count = 0
        self._names = {}

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        samples = data_batch.get('data_samples', None) if isinstance(data_batch, dict) else None
        for s in samples or []:
            skipped = s.metainfo.get('skipped_videos', None) if hasattr(s, 'metainfo') else None
            if skipped:
                self._count += len(skipped)
                for item in skipped:
                    name, _, reason = item.partition(': ')
                    self._names.setdefault(name, reason)

    def after_train_epoch(self, runner) -> None:
        total, files = _all_reduce([self._count, len(self._names)])
        total = int(total)
        # the dataset checks its failure limit inside each worker; here over all workers
        # and ranks (distinct files per rank, summed)
        dataset = getattr(runner.train_dataloader, 'dataset', None)
        if hasattr(dataset, 'failure_limit') and files > dataset.failure_limit():
            examples = '; '.join(f'{k}: {v}' for k, v in list(self._names.items())[:5])
            raise RuntimeError(
                f'{int(files)} of {len(dataset)} videos failed to load in epoch '
                f'{runner.epoch + 1}, more than {dataset.failure_limit_text()}. Examples: '
                f'{examples}. Check the list with tools/data/check_videos.py.')
        runner.message_hub.update_scalar('train/skipped_videos', total)
        listed = '; '.join(f'{k} ({v[:80]})'
                           for k, v in list(self._names.items())[:self.max_listed])
        runner.logger.info(f'Epoch {runner.epoch + 1}: skipped {total} video loads ({int(files)} '
                           'distinct files) over all ranks' +
                           (f'; rank {runner.rank} e.g.: {listed}' if listed else ''))


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save python/numpy/torch RNG states in checkpoints and restore them on resume."""

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = get_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state', None)
        if state is not None:
            set_rng_state(state)


def get_rng_state() -> dict:
    """RNG states as tensors / ints (weights-only loadable).

    With CUDA, also the current GPU's generator (``cuda``): on a GPU the model-side
    draws (dropout, shuffle-BN and ctrl_aug permutations, the VAE noise, tutorial
    reversals) take the device's generator, not the CPU one.
    """
    version, py_state, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=dict(
            version=int(version), state=torch.tensor(py_state, dtype=torch.int64), gauss=gauss),
        numpy=dict(
            name=str(name),
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            cached=float(cached)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def set_rng_state(state: dict) -> None:
    py = state['python']
    random.setstate((py['version'], tuple(int(v) for v in py['state'].tolist()), py['gauss']))
    n = state['numpy']
    np.random.set_state(
        (n['name'], n['keys'].numpy().astype(np.uint32), n['pos'], n['has_gauss'], n['cached']))
    torch.set_rng_state(state['torch'])
    if state.get('cuda', None) is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'])


class NonFiniteLossError(FloatingPointError):
    """Raised when a loss term is NaN or Inf."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stop (or skip the step) when a ``loss_<term>`` is not finite, before backward.

    The model's ``parse_losses`` is wrapped: each term is checked, the flag is
    all-reduced (max) over ranks, and then every rank raises :class:`NonFiniteLossError`
    naming the term(s), values, epoch and iteration; with ``action='skip'`` the
    optimiser wrapper's ``update_params`` drops the step instead (gradients zeroed,
    weights untouched; BN running statistics of that forward pass are not undone) and
    training stops after ``max_skips`` consecutive skips.

    Args:
        action: ``'raise'`` or ``'skip'``.
        max_skips: consecutive skipped steps tolerated in skip mode.
    """

    priority = 'VERY_HIGH'

    def __init__(self, action: str = 'raise', max_skips: int = 10) -> None:
        if action not in ('raise', 'skip'):
            raise ValueError(f"action must be 'raise' or 'skip', got {action!r}")
        self.action = action
        self.max_skips = max_skips
        self._iter = 0
        self._epoch = 0
        self._skip_next = False
        self._consecutive = 0
        self.num_skipped = 0

    def before_train(self, runner) -> None:
        model = _unwrap(runner.model)
        if getattr(model, '_vssl_nonfinite_wrapped', False):
            return
        original = model.parse_losses
        hook = self

        def parse_losses(losses):
            bad = {}
            for name, value in losses.items():
                if 'loss' not in name:
                    continue
                vals = value if isinstance(value, (list, tuple)) else [value]
                for v in vals:
                    if torch.is_tensor(v) and not torch.isfinite(v.detach()).all():
                        bad[name] = float(v.detach().float().sum())
            flag, = _all_reduce([float(bool(bad))], op='max')
            if flag > 0:
                where = (f'iteration {hook._iter + 1} (epoch {hook._epoch + 1})')
                terms = ', '.join(f'{k}={v}' for k, v in bad.items()) or \
                    'a term on another rank'
                if hook.action == 'raise':
                    raise NonFiniteLossError(
                        f'Non-finite loss at {where}: {terms}. Training stopped before '
                        'the weights were updated (NonFiniteLossHook; set '
                        "action='skip' to skip such steps).")
                hook._skip_next = True
                hook._consecutive += 1
                hook.num_skipped += 1
                runner.logger.warning(f'Skipping the step of {where}: non-finite '
                                      f'{terms} ({hook.num_skipped} skipped so far)')
                if hook._consecutive > hook.max_skips:
                    raise NonFiniteLossError(
                        f'{hook._consecutive} consecutive non-finite losses, last at '
                        f'{where}: {terms}')
            else:
                hook._consecutive = 0
            return original(losses)

        model.parse_losses = parse_losses
        model._vssl_nonfinite_wrapped = True

        if self.action == 'skip':
            wrapper = runner.optim_wrapper
            update = wrapper.update_params

            def update_params(loss, *args, **kwargs):
                if hook._skip_next:
                    hook._skip_next = False
                    wrapper.zero_grad()
                    return None
                return update(loss, *args, **kwargs)

            wrapper.update_params = update_params

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._iter = runner.iter
        self._epoch = runner.epoch


@HOOKS.register_module()
class FailureInjectionHook(Hook):
    """Raise ``RuntimeError`` on ``rank`` at iteration ``at_iter`` (1-based); for tests
    of failure handling (a crashing rank must bring the whole job down)."""

    def __init__(self, at_iter: int = 2, rank: Optional[int] = 1) -> None:
        self.at_iter = at_iter
        self.rank = rank

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        mine = self.rank is None or runner.rank == self.rank
        if runner.iter + 1 == self.at_iter and mine:
            raise RuntimeError(f'FailureInjectionHook: rank {runner.rank} raises at '
                               f'iteration {self.at_iter}')
