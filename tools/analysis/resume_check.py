"""Exact resume after SIGKILL, for every method (issue 10, item 5).

    python tools/analysis/resume_check.py [--methods simclr hdc ...] [--work-dir DIR]
        [--data DIR] [--kill-at-iter 2]

For each method's synthetic config (16 synthetic videos, batch 4, 2 epochs,
``num_workers=0`` or ``--num-workers``, ``--deterministic``): (a) an uninterrupted run;
(b) a run killed with SIGKILL during epoch 2 (after ``epoch_1.pth`` exists, once
iteration ``--kill-at-iter`` of epoch 2 was logged), then ``tools/train.py --resume``.
Every logged ``loss_*`` value of (b), killed and resumed parts, must equal (a) at the
same global iteration, and the final
``epoch_2.pth`` weights and buffers (queues, momentum encoders, prototypes, stage flags)
must be identical. Prints one line per method and exits 1 if any differs.
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'simclr': 'configs/simclr/r3d18_synthetic.py',
    'seg_order_rate': 'configs/seg_order_rate/r21d_synthetic.py',
    'hdc': 'configs/hdc/r3d18_synthetic.py',
    'mlrep': 'configs/mlrep/r3d18_synthetic.py',
    'ctrl_aug': 'configs/ctrl_aug/r3d18_synthetic.py',
}


def _opts(data: Dict[str, str],
          work_dir: str,
          batch_size: int = 4,
          num_workers: int = 0,
          no_rng_hook: bool = False) -> List[str]:
    opts = {
        'train_dataloader.dataset.ann_file': data['train'],
        'train_dataloader.dataset.data_prefix.video': data['root'],
        'train_dataloader.num_workers': num_workers,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.batch_size': batch_size,
        'train_cfg.max_epochs': 2,
        'default_hooks.logger.interval': 1,
        'work_dir': work_dir,
    }
    if no_rng_hook:  # control: without RNG states in the checkpoint
        opts['disable_reliability_hooks'] = "['RNGStateHook']"
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()]


def _env() -> dict:
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def _train(config: str, opts: List[str], extra: Optional[List[str]] = None) -> None:
    cmd = [sys.executable, 'tools/train.py', config, '--deterministic'] + (extra or []) \
        + opts
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stdout[-3000:]}\n'
                           f'{proc.stderr[-3000:]}')


def _train_and_kill(config: str, opts: List[str], work_dir: str, kill_at_iter: int) -> int:
    """Start training, SIGKILL it once iteration ``kill_at_iter`` of epoch 2 is logged;
    return the number of epoch-2 iterations logged before the kill."""
    cmd = [sys.executable, 'tools/train.py', config, '--deterministic'] + opts
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pattern = re.compile(r'Epoch\(train\)\s*\[2\]\[\s*(\d+)/')
    tail: List[str] = []
    try:
        for line in proc.stdout:
            tail = (tail + [line])[-50:]
            m = pattern.search(line)
            if m and int(m.group(1)) >= kill_at_iter:
                assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return int(m.group(1))
    finally:
        if proc.poll() is None:
            proc.kill()
    raise RuntimeError('training ended before it could be killed in epoch 2:\n' + ''.join(tail))


def _losses_by_step(work_dir: str) -> List[Dict[int, Dict[str, float]]]:
    """One {step: {loss_*: value}} per run (timestamp folder) in ``work_dir``."""
    runs = []
    for f in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        rows = {}
        with open(f) as fh:
            for line in fh:
                r = json.loads(line) if line.strip() else {}
                if 'step' in r and any(k.startswith('loss') for k in r):
                    rows[int(r['step'])] = {k: v for k, v in r.items() if k.startswith('loss')}
        runs.append(rows)
    return runs


def compare_weights(a_path: str, b_path: str) -> List[str]:
    import torch
    from mmengine.runner import CheckpointLoader

    import vssl_mm  # noqa: F401
    a = CheckpointLoader.load_checkpoint(a_path, map_location='cpu')['state_dict']
    b = CheckpointLoader.load_checkpoint(b_path, map_location='cpu')['state_dict']
    if a.keys() != b.keys():
        return ['<keys differ>']
    return [k for k in a if not torch.equal(a[k], b[k])]


def check_method(name: str,
                 data: Dict[str, str],
                 root: str,
                 kill_at_iter: int = 2,
                 num_workers: int = 0,
                 no_rng_hook: bool = False) -> dict:
    config = CONFIGS[name]
    full, part = osp.join(root, name, 'full'), osp.join(root, name, 'part')
    t0 = time.time()
    kw = dict(num_workers=num_workers, no_rng_hook=no_rng_hook)
    _train(config, _opts(data, full, **kw))
    killed_after = _train_and_kill(config, _opts(data, part, **kw), part, kill_at_iter)
    _train(config, _opts(data, part, **kw), ['--resume'])
    seconds = time.time() - t0
    ref = _losses_by_step(full)[0]
    runs = _losses_by_step(part)
    mismatched_steps = []
    seen = set()
    for run in runs:
        for step, losses in run.items():
            seen.add(step)
            if ref.get(step) != losses:
                mismatched_steps.append(step)
    weights = compare_weights(osp.join(full, 'epoch_2.pth'), osp.join(part, 'epoch_2.pth'))
    return dict(
        method=name,
        num_workers=num_workers,
        rng_hook=not no_rng_hook,
        killed_after_epoch2_iter=killed_after,
        steps=len(ref),
        runs_in_part=len(runs),
        all_steps_logged=seen == set(ref),
        mismatched_steps=sorted(mismatched_steps),
        mismatched_tensors=weights[:5],
        num_mismatched_tensors=len(weights),
        seconds=round(seconds, 1),
        ok=not mismatched_steps and not weights and seen == set(ref) and len(runs) == 2)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--methods', nargs='+', default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument('--work-dir', default='work_dirs/resume_check')
    p.add_argument('--data', help='synthetic dataset folder (made if missing)')
    p.add_argument('--kill-at-iter', type=int, default=2)
    p.add_argument('--num-workers', type=int, default=0)
    p.add_argument('--no-rng-hook', action='store_true', help='control: disable RNGStateHook')
    args = p.parse_args(argv)
    data_dir = args.data or osp.join(args.work_dir, 'data')
    if not osp.isfile(osp.join(data_dir, 'train.txt')):
        sys.path.insert(0, REPO)
        from vssl_mm.datasets import make_synthetic_dataset
        make_synthetic_dataset(
            data_dir,
            num_train_per_class=2,
            num_val_per_class=1,
            num_frames=32,
            height=64,
            width=64,
            seed=1)
    data = dict(train=osp.join(data_dir, 'train.txt'), root=data_dir)
    ok = True
    for m in args.methods:
        sub = f'w{args.num_workers}' + '_norng' * args.no_rng_hook
        r = check_method(m, data, osp.join(args.work_dir, sub), args.kill_at_iter, args.num_workers,
                         args.no_rng_hook)
        ok &= r['ok']
        print(json.dumps(r), flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
