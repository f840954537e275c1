"""Collate functions, registered in mmengine's root ``FUNCTIONS`` where the Runner looks
them up (``train_dataloader.collate_fn=dict(type=NAME, ...)``).

- :func:`ctrl_aug_collate`: ctrl_aug's batch-level choice of intensity levels (Qian et
  al., 2022, Sec. 3.2, 4.4): whole groups of ``samples_per_level`` samples share a level.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS

from .transforms.intensity_levels import IntensityLevels


def _to_frames(x: torch.Tensor) -> np.ndarray:
    """``(C, T, H, W)`` uint8 tensor -> ``(T, H, W, C)`` numpy."""
    return np.ascontiguousarray(x.numpy().transpose(1, 2, 3, 0))


def _from_frames(frames: np.ndarray) -> torch.Tensor:
    """``(T, H, W, C)`` numpy -> ``(C, T, H, W)`` tensor."""
    return torch.from_numpy(np.ascontiguousarray(frames.transpose(3, 0, 1, 2)))


def check_level_grouping(batch_size: int, samples_per_level: int, num_levels: int) -> int:
    """Levels one batch of ``batch_size`` samples needs; raise if it cannot be grouped.

    Each level holds exactly ``samples_per_level`` samples, so the MI critic of Eq. 5-6
    has ``samples_per_level - 1`` same-level partners per sample on every rank, whatever
    the world size. Raises ``ValueError`` naming the values when ``samples_per_level < 2``
    (no same-level pair), ``batch_size`` is not a multiple of it, or the batch needs more
    distinct levels than ``num_levels``.
    """
    spl = samples_per_level
    if not isinstance(spl, (int, np.integer)) or isinstance(spl, bool) or spl < 2:
        raise ValueError(
            f'samples_per_level={spl!r}: must be an int >= 2, otherwise no two samples '
            'share an intensity level and the MI critic (L_mi) never trains (the paper: '
            '128 clips / 32 levels = 4)')
    if batch_size < spl or batch_size % spl:
        raise ValueError(
            f'batch of {batch_size} samples (per rank) cannot be split into groups of '
            f'samples_per_level={spl}: use a per-rank batch_size that is a multiple of '
            f'{spl} and drop_last=True')
    need = batch_size // spl
    if need > num_levels:
        raise ValueError(f'batch of {batch_size} samples with samples_per_level={spl} needs {need} '
                         f'distinct intensity levels, but the level counts give only {num_levels}: '
                         'raise samples_per_level or the counts')
    return need


def assign_levels(batch_size: int,
                  num_levels: int,
                  samples_per_level: int = 4,
                  rng=np.random) -> np.ndarray:
    """Draw ``batch_size / samples_per_level`` distinct levels and give each exactly
    ``samples_per_level`` samples, in random order: ``(batch_size,)`` level ids.

    Raises ``ValueError`` if the batch cannot be grouped (:func:`check_level_grouping`).
    """
    m = check_level_grouping(batch_size, samples_per_level, num_levels)
    pool = rng.choice(num_levels, size=m, replace=False)
    slots = np.repeat(np.arange(m), samples_per_level)
    return pool[slots[rng.permutation(batch_size)]].astype(np.int64)


def ctrl_aug_collate(data_batch: Sequence[dict],
                     counts: Sequence[int] = (4, 4, 4, 2, 4),
                     samples_per_level: int = 4,
                     global_key: str = 'global_view',
                     level_kwargs: Optional[dict] = None,
                     levels_per_batch: Optional[int] = None,
                     per_rank: Optional[bool] = None) -> dict:
    """Collate with the batch-level choice of intensity levels (Sec. 3.2, Sec. 4.4).

    Draws the batch's levels (:func:`assign_levels`), applies each sample's level to all
    of its views (the K local clips in ``inputs`` ``(K, C, T, H, W)`` uint8 and the
    global view ``metainfo[global_key]`` ``(1, C, T', H, W)``; the factors are drawn per
    view inside the level's bins), records ``lowlevel_level`` (int) and
    ``lowlevel_params`` (one dict per view, global first) in the metainfo, then
    ``pseudo_collate``.

    ``samples_per_level`` is the knob (the paper: 128 clips / 32 levels = 4): every
    rank's batch of B samples gets ``B / samples_per_level`` distinct levels of exactly
    ``samples_per_level`` samples each, so each rank has same-level pairs at any world
    size, and a global batch of ``W * B`` holds ``W * B / samples_per_level`` groups
    (8 GPUs x 16: 32 groups of 4, as one GPU with 128). Ranks draw their levels
    independently; a level drawn on two ranks gives more same-level pairs across ranks
    (the critic gathers features and level ids over ranks). A batch that cannot be
    grouped raises ``ValueError`` naming the values. The draw uses numpy's global RNG,
    which the SeededSampler has seeded per sample: reproducible.

    ``levels_per_batch`` / ``per_rank`` (the former knobs) raise with the replacement.
    """
    if levels_per_batch is not None or per_rank is not None:
        raise ValueError(
            f'ctrl_aug_collate: levels_per_batch={levels_per_batch!r} / per_rank='
            f'{per_rank!r} were replaced by samples_per_level (levels per rank batch = '
            'batch_size / samples_per_level; the paper: 128 / 32 = 4)')
    levels = IntensityLevels(counts, **(level_kwargs or {}))
    ids = assign_levels(len(data_batch), levels.num_levels, samples_per_level)
    for data, level in zip(data_batch, ids):
        sample = data['data_samples']
        views = list(sample.metainfo[global_key]) if global_key in sample.metainfo \
            else []
        n_global = len(views)
        views += [data['inputs'][i] for i in range(data['inputs'].shape[0])]
        params = [levels.sample_params(int(level)) for _ in views]
        out = [_from_frames(levels.apply(_to_frames(v), p)) for v, p in zip(views, params)]
        if n_global:
            sample.set_metainfo({global_key: torch.stack(out[:n_global])})
        data['inputs'] = torch.stack(out[n_global:])
        sample.set_metainfo(dict(lowlevel_level=int(level), lowlevel_params=params))
    return pseudo_collate(data_batch)


# the name is unique to vssl_mm; a second import of this module registers nothing
if 'ctrl_aug_collate' not in FUNCTIONS.module_dict:
    FUNCTIONS.register_module(name='ctrl_aug_collate', module=ctrl_aug_collate)
