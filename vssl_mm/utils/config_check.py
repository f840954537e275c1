"""Reject impossible configs before training starts, naming the key and the value.

:func:`validate_config` is called by ``tools/train.py`` before the Runner is built (so
no model is built, no worker started and no checkpoint written for a config that could
never work). Each problem is reported as ``<dotted key>=<value>: <why>``; all problems
are collected and raised together as :class:`ConfigError` (a ``ValueError``).

Checked:
* seg_order_rate: ``num_segments`` in 2..5 (n! order classes: 2..120) in the sampler and
  the order/rate heads, and the three must agree; ``num_segments * min_len <= clip_len``.
* ctrl_aug: ``num_clips`` (K) >= 1, K <= ``global_len`` (each local clip needs a global
  cell), ``clip_len`` >= 1, ``td_head.num_clips`` == K; ``ctrl_aug_collate``: known
  arguments, ``samples_per_level`` >= 2 dividing the per-rank ``batch_size``, no more
  levels per batch than the counts give, ``drop_last=True``.
* queues (``model.queue_len`` of SegOrderRate, ``model.queue_length`` of MLRep, ...): a
  multiple of the global batch ``batch_size * world_size``, and ``drop_last=True``.
* every dataloader that will be built: ``ann_file`` exists, ``data_prefix.video`` /
  ``data_root`` is a directory; ``max_fail_ratio`` in [0, 1).
* :func:`add_reliability_hooks` adds the vssl_mm reliability hooks to configs that
  replaced ``custom_hooks`` without them.
"""
import math
import os
import os.path as osp
from typing import Any, List, Optional

SEG_ORDER_RANGE = (2, 5)
QUEUE_KEYS = ('queue_len', 'queue_length')


class ConfigError(ValueError):
    """One or more config values that cannot work."""


def _get(node: Any, key: str, default: Any = None) -> Any:
    try:
        return node.get(key, default)
    except AttributeError:
        return default


def _iter_datasets(dataset: Any, key: str):
    """Yield (key, dataset cfg) for a dataset and wrapped/concatenated ones."""
    if not isinstance(dataset, dict):
        return
    yield key, dataset
    inner = _get(dataset, 'dataset')
    if isinstance(inner, dict):
        yield from _iter_datasets(inner, key + '.dataset')
    for i, d in enumerate(_get(dataset, 'datasets', None) or []):
        yield from _iter_datasets(d, f'{key}.datasets[{i}]')


def _check_dataset(key: str, ds: Any, errors: List[str]) -> None:
    ann = _get(ds, 'ann_file')
    root = _get(ds, 'data_root') or ''
    if ann:
        path = ann if osp.isabs(ann) or not root or osp.exists(ann) else osp.join(root, ann)
        if not osp.isfile(path):
            errors.append(f'{key}.ann_file={ann!r}: annotation file does not exist')
    prefix = _get(ds, 'data_prefix') or {}
    video = _get(prefix, 'video', None) if isinstance(prefix, dict) else None
    if video and not osp.isdir(video):
        errors.append(f'{key}.data_prefix.video={video!r}: data root is not a directory')
    if root and not osp.isdir(root):
        errors.append(f'{key}.data_root={root!r}: data root is not a directory')
    ratio = _get(ds, 'max_fail_ratio')
    if ratio is not None and not 0 <= ratio < 1:
        errors.append(f'{key}.max_fail_ratio={ratio!r}: must be in [0, 1)')


def _check_pipeline(key: str, pipeline: Any, model: Any, errors: List[str]) -> None:
    for i, t in enumerate(pipeline or []):
        if not isinstance(t, dict):
            continue
        tkey = f'{key}.pipeline[{i}]'
        typ = str(_get(t, 'type', ''))
        if typ.endswith('SegmentOrderRateSampler'):
            n = _get(t, 'num_segments', 3)
            clip_len, min_len = _get(t, 'clip_len', 16), _get(t, 'min_len', 3)
            if not SEG_ORDER_RANGE[0] <= n <= SEG_ORDER_RANGE[1]:
                classes = math.factorial(n) if 0 <= n <= 20 else 'too many'
                errors.append(f'{tkey}.num_segments={n}: {n}! = {classes} order classes; supported '
                              f'range is {SEG_ORDER_RANGE[0]}..{SEG_ORDER_RANGE[1]} segments')
            elif n * min_len > clip_len:
                errors.append(f'{tkey}.clip_len={clip_len}: {n} segments of min_len={min_len} '
                              f'need {n * min_len} frames; segment lengths cannot sum to clip_len')
            for head in ('order_head', 'rate_head'):
                hn = _get(_get(model, head) or {}, 'num_segments')
                if hn is not None and hn != n:
                    errors.append(f'model.{head}.num_segments={hn}: differs from '
                                  f'{tkey}.num_segments={n}')
        elif typ.endswith('CtrlAugSampler'):
            k = _get(t, 'num_clips', 4)
            clip_len, g = _get(t, 'clip_len', 16), _get(t, 'global_len', 16)
            if k < 1:
                errors.append(f'{tkey}.num_clips={k}: K must be >= 1')
            elif k > g:
                errors.append(f'{tkey}.num_clips={k}: more local clips than the {g} frames of the '
                              f'global view (global_len={g}) can cover')
            if clip_len < 1:
                errors.append(f'{tkey}.clip_len={clip_len}: must be >= 1')
            tk = _get(_get(model, 'td_head') or {}, 'num_clips')
            if tk is not None and tk != k:
                errors.append(f'model.td_head.num_clips={tk}: differs from '
                              f'{tkey}.num_clips={k}')


def _check_level_collate(train: Any, errors: List[str]) -> None:
    """ctrl_aug: the per-rank batch holds whole groups of ``samples_per_level``."""
    collate = _get(train, 'collate_fn') or {}
    if not str(_get(collate, 'type', '')).endswith('ctrl_aug_collate'):
        return
    import inspect

    from vssl_mm.datasets.collate import check_level_grouping, ctrl_aug_collate
    key = 'train_dataloader.collate_fn'
    valid = set(inspect.signature(ctrl_aug_collate).parameters) - {
        'data_batch', 'levels_per_batch', 'per_rank'
    }
    for name in sorted(set(collate) - valid - {'type'}):
        errors.append(f'{key}.{name}={collate[name]!r}: unknown argument of '
                      f'ctrl_aug_collate (valid: {sorted(valid)}; levels_per_batch / '
                      'per_rank were replaced by samples_per_level)')
    counts = _get(collate, 'counts', (4, 4, 4, 2, 4))
    spl = _get(collate, 'samples_per_level', 4)
    batch = _get(train, 'batch_size')
    try:
        check_level_grouping(int(batch or 0), spl, int(math.prod(counts)))
    except ValueError as e:
        errors.append(f'{key}.samples_per_level={spl!r} with train_dataloader.batch_size='
                      f'{batch} and counts={tuple(counts)}: {e}')
    if not _get(train, 'drop_last', False):
        errors.append(f'train_dataloader.drop_last={_get(train, "drop_last", False)}: '
                      'must be True with ctrl_aug_collate (a last partial batch cannot be '
                      f'split into groups of samples_per_level={spl})')


def validate_config(cfg: Any, world_size: Optional[int] = None) -> None:
    """Raise :class:`ConfigError` listing every impossible value (key=value: why)."""
    if world_size is None:
        world_size = int(os.environ.get('WORLD_SIZE', 1)) \
            if _get(cfg, 'launcher', 'none') != 'none' else 1
    errors: List[str] = []
    model = _get(cfg, 'model') or {}
    if str(_get(model, 'type', '')).endswith('SegOrderRate'):
        n = _get(_get(model, 'order_head') or {}, 'num_segments')
        if n is not None and not SEG_ORDER_RANGE[0] <= n <= SEG_ORDER_RANGE[1]:
            errors.append(f'model.order_head.num_segments={n}: supported range is '
                          f'{SEG_ORDER_RANGE[0]}..{SEG_ORDER_RANGE[1]}')
    loaders = ['train_dataloader']
    if _get(cfg, 'val_cfg') is not None:
        loaders.append('val_dataloader')
    for name in loaders:
        loader = _get(cfg, name)
        if not isinstance(loader, dict):
            continue
        for key, ds in _iter_datasets(_get(loader, 'dataset'), name + '.dataset'):
            _check_dataset(key, ds, errors)
            if name == 'train_dataloader':
                _check_pipeline(key, _get(ds, 'pipeline'), model, errors)
    train = _get(cfg, 'train_dataloader') or {}
    batch = _get(train, 'batch_size')
    for qkey in QUEUE_KEYS:
        q = _get(model, qkey)
        if not q or batch is None:
            continue
        global_batch = batch * world_size
        if q % global_batch:
            errors.append(f'model.{qkey}={q}: not a multiple of the global batch '
                          f'{global_batch} (train_dataloader.batch_size={batch} x world_size='
                          f'{world_size})')
        elif not _get(train, 'drop_last', False):
            errors.append(f'train_dataloader.drop_last={_get(train, "drop_last", False)}: must be '
                          f'True with model.{qkey}={q} (a last partial batch breaks the queue)')
    _check_level_collate(train, errors)
    if errors:
        raise ConfigError('Invalid config:\n  ' + '\n  '.join(errors))


RELIABILITY_HOOKS = (dict(type='SkippedVideosHook'), dict(type='RNGStateHook'),
                     dict(type='NonFiniteLossHook', action='raise'))


def add_reliability_hooks(cfg: Any) -> Any:
    """Append the reliability hooks missing from ``cfg.custom_hooks`` (configs that
    replace ``custom_hooks`` otherwise lose those of default_runtime.py). Types listed in
    ``cfg.disable_reliability_hooks`` are removed instead (e.g. for a control run)."""
    disabled = set(_get(cfg, 'disable_reliability_hooks') or [])
    hooks = [
        h for h in (_get(cfg, 'custom_hooks') or [])
        if str(_get(h, 'type', '')).split('.')[-1] not in disabled
    ]
    have = {str(_get(h, 'type', '')).split('.')[-1] for h in hooks}
    for h in RELIABILITY_HOOKS:
        if h['type'] not in have and h['type'] not in disabled:
            hooks.append(dict(h))
    cfg.custom_hooks = hooks
    return cfg
