"""Find what a child config meant to change but did not, before anything runs.

mmengine merges a child config into its ``_base_`` files key by key. Two mistakes then pass
without a word:

* a top-level key with a typo (``train_dataloder = dict(batch_size=2)``) is a new key
  nobody reads, and the parent's value stays;
* a top-level *variable* the parent used while it was read (``clip_len = 16`` then
  ``dict(type='RandomClipsSampler', clip_len=clip_len)``) can be reassigned in the child,
  but the parent's pipelines keep the old value: they were built before the child ran.

:func:`lint_child_config` reports both: the typo with its close match, and every nested
key of the same name that still holds the parent's value.
"""
import ast
import difflib
import os.path as osp
from typing import Any, Dict, Iterator, List, Tuple

# top-level keys mmengine's Runner or the tools read although no base sets them
RUNNER_KEYS = ('default_scope', 'custom_imports', 'work_dir', 'load_from', 'resume', 'launcher',
               'randomness', 'env_cfg', 'log_level', 'log_processor', 'visualizer', 'vis_backends',
               'default_hooks', 'custom_hooks', 'model', 'model_wrapper_cfg', 'optim_wrapper',
               'param_scheduler', 'train_cfg', 'val_cfg', 'test_cfg', 'train_dataloader',
               'val_dataloader', 'test_dataloader', 'val_evaluator', 'test_evaluator',
               'auto_scale_lr', 'runner_type', 'experiment_name', 'find_unused_parameters',
               'sync_bn', 'compile', 'cfg', 'data_root', 'dataset_type')


def _top_level_assignments(path: str) -> List[str]:
    with open(path) as f:
        tree = ast.parse(f.read(), filename=path)
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            if isinstance(t, ast.Name) and not t.id.startswith('_'):
                names.append(t.id)
    return names


def _nested(node: Any, key: str, prefix: str = '') -> Iterator[Tuple[str, Any]]:
    """``(dotted path, value)`` of every nested entry named ``key`` below the top."""
    if isinstance(node, dict):
        for k, v in node.items():
            path = f'{prefix}.{k}' if prefix else str(k)
            if k == key and prefix:
                yield path, v
            yield from _nested(v, key, path)
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _nested(v, key, f'{prefix}.{i}')


def lint_child_config(path: str, cfg: Any = None) -> List[str]:
    """Problems of the config file ``path`` with respect to its ``_base_`` files.

    ``cfg``: ``Config.fromfile(path)`` when the caller has it already (read otherwise).
    Returns one message per problem (empty when there is none or no ``_base_``).
    """
    from mmengine.config import Config
    if cfg is None:
        cfg = Config.fromfile(path)
    with open(path) as f:
        tree = ast.parse(f.read(), filename=path)
    base_files: List[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            value = ast.literal_eval(node.value)
            base_files = [value] if isinstance(value, str) else list(value)
    if not base_files:
        return []
    parent: Dict[str, Any] = {}
    for b in base_files:
        parent.update(Config.fromfile(osp.join(osp.dirname(path), b)).to_dict())
    merged = cfg.to_dict()
    problems = []
    known = set(parent) | set(RUNNER_KEYS)
    for name in _top_level_assignments(path):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
            if close:
                problems.append(
                    f'{path}: top-level key "{name}" is set by no parent config; did you '
                    f'mean "{close[0]}"? (as written, "{close[0]}" keeps the parent\'s '
                    'value)')
            continue
        old, new = parent.get(name, None), merged.get(name, None)
        if name not in parent or old == new or isinstance(old, (dict, list)):
            continue
        # only what the Runner builds from: stale helper variables are harmless
        stale = [
            p for p, v in _nested(merged, name)
            if v == old and v != new and p.split('.')[0] in RUNNER_KEYS
        ]
        if stale:
            shown = ', '.join(stale[:4]) + (f' and {len(stale) - 4} more' if len(stale) > 4 else '')
            problems.append(
                f'{path}: {name} = {new!r} does not reach {shown}, which the parent built '
                f'with {name}={old!r} before this file was read; set those keys too '
                f'(e.g. --cfg-options {stale[0]}={new!r})')
    return problems
