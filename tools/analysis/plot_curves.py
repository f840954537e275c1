"""Per-term loss curves of a training run, as a PNG.

    python tools/analysis/plot_curves.py WORK_DIR [--keys 'loss_*' acc_nce ...] \
        [--smooth 1] [--single] --out curves.png

Reads ``vis_data/scalars.json`` written by mmengine's ``LocalVisBackend`` (on by default
in ``configs/_base_/default_runtime.py``; one JSON dict per logged iteration). WORK_DIR
is a run's work dir (the newest ``<timestamp>/vis_data/scalars.json`` under it is used),
a ``<timestamp>`` dir, or the ``scalars.json`` file itself. ``--keys`` are names or shell
patterns (default: every ``loss*`` key, i.e. each ``loss_<term>`` and their sum ``loss``).
One panel per key (``--single``: all keys on one panel); x is the global iteration.
For TensorBoard / W&B curves instead, add ``dict(type='TensorboardVisBackend')`` or
``dict(type='WandbVisBackend')`` to ``vis_backends`` in the config.
"""
import argparse
import fnmatch
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np


def find_scalars(path: str) -> str:
    """The ``scalars.json`` of ``path`` (file, timestamp dir or work dir; newest run)."""
    if osp.isfile(path):
        return path
    for pattern in ('scalars.json', 'vis_data/scalars.json', '*/vis_data/scalars.json'):
        found = sorted(glob.glob(osp.join(path, pattern)))
        if found:
            return found[-1]  # timestamp dirs sort by time
    raise FileNotFoundError(f'no vis_data/scalars.json under {path}: was the run made with '
                            'LocalVisBackend in vis_backends?')


def load_scalars(path: str) -> List[dict]:
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def select_curves(
    records: Sequence[dict], keys: Sequence[str] = ('loss*', )
) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """``{key: (steps, values)}`` for each scalar key matching one of ``keys``, from the
    training records (those with a ``step``; validation records carry none)."""
    names: List[str] = []
    for r in records:
        for k in r:
            if k not in names and any(fnmatch.fnmatchcase(k, p) for p in keys):
                names.append(k)
    curves = {}
    for k in names:
        pts = [(r.get('step', r.get('iter')), r[k]) for r in records if k in r
               and r.get('step', r.get('iter')) is not None and isinstance(r[k], (int, float))]
        if pts:
            steps, values = zip(*pts)
            curves[k] = (np.asarray(steps, float), np.asarray(values, float))
    return curves


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average (same length; the first points average what exists)."""
    if window <= 1:
        return values
    c = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def plot(curves: Dict[str, Tuple[np.ndarray, np.ndarray]],
         out: str,
         title: str = '',
         window: int = 1,
         single: bool = False) -> str:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    if not curves:
        raise ValueError('no scalar matches the requested keys')
    n = 1 if single else len(curves)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for i, (k, (x, y)) in enumerate(curves.items()):
        ax = axes.flat[0 if single else i]
        line, = ax.plot(x, y, alpha=0.35 if window > 1 else 1.0, label=k if single else None)
        if window > 1:
            ax.plot(x, smooth(y, window), color=line.get_color())
        if not single:
            ax.set_title(k, fontsize=9)
        ax.set_xlabel('iteration', fontsize=8)
        ax.grid(alpha=0.3)
    if single:
        axes.flat[0].legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis('off')
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description='Plot per-term loss curves of a run')
    parser.add_argument('work_dir')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=['loss*'],
        help='scalar names or shell patterns (default: loss*)')
    parser.add_argument('--smooth', type=int, default=1, help='moving-average window')
    parser.add_argument('--single', action='store_true', help='all keys on one panel')
    parser.add_argument('--out', default='curves.png')
    args = parser.parse_args(argv)
    path = find_scalars(args.work_dir)
    curves = select_curves(load_scalars(path), args.keys)
    if not curves:
        raise SystemExit(f'no key of {path} matches {args.keys}')
    plot(curves, args.out, title=path, window=args.smooth, single=args.single)
    summary = ', '.join(f'{k} ({len(v[0])} points)' for k, v in curves.items())
    print(f'wrote {args.out}: {summary}')


if __name__ == '__main__':
    main()
