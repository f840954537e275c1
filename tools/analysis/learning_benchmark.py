"""Learning-signal benchmark: every method on the same synthetic videos, one evaluator.

    python tools/analysis/learning_benchmark.py [--methods clip_contrast supervised ...]
        [--seeds 0 1 2] [--init-seeds 0 1 2] [--iters 1200] [--batch-size 8]
        [--eval-every 200] [--train-per-class 200] [--val-per-class 20]
        [--style motion] [--work-dir work_dirs/learning_signal] [--out-dir DIR]

The protocol (configs/benchmarks/learning_signal/protocol.yml; flags override it):

1. the dataset is generated once per parameter set (``WORK/data/<key>``);
2. every method x training seed trains its own synthetic config through
   ``tools/train.py`` (mmengine Runner) with the shared settings: the dataset, batch
   size, ``iters`` iterations (``iters / (train videos // batch)`` epochs, so that the
   methods' epoch-keyed stages and the cosine schedule keep their meaning), the same
   optimiser, a checkpoint every ``eval_every`` iterations, the seed;
3. every checkpoint, and the random-init backbone of each backbone type under each init
   seed, is evaluated by :class:`vssl_mm.evaluation.synthetic_eval.SyntheticEvaluator`
   (retrieval R@1/R@5, linear probe);
4. ``OUT/results.json``, ``OUT/results.md`` (mean and min-max over seeds) and
   ``OUT/r1_curve.png`` are written.

Finished training runs and evaluations are kept (keyed by config, seed, budget, data and
evaluator settings) and skipped when the tool is run again.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

REPO = osp.abspath(osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
sys.path.insert(0, REPO)

import torch  # noqa: E402
import yaml  # noqa: E402
from mmengine.config import Config, ConfigDict  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402

import vssl_mm  # noqa: E402,F401
from vssl_mm.datasets.synthetic import CLASSES, STYLES, make_synthetic_dataset  # noqa: E402
from vssl_mm.evaluation.synthetic_eval import SyntheticEvaluator, backbone_key  # noqa: E402
from vssl_mm.utils import register_all_modules  # noqa: E402

PROTOCOL = osp.join(REPO, 'configs', 'benchmarks', 'learning_signal', 'protocol.yml')
METRICS = ('r1', 'r5', 'probe_top1')


def _hash(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:8]


def _log(msg: str) -> None:
    print(f'[learning_benchmark] {msg}', flush=True)


def _read_json(path: str):
    with open(path) as f:
        return json.load(f)


def _write_json(path: str, obj) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- protocol
def load_protocol(args: argparse.Namespace) -> dict:
    """The protocol file with the command-line overrides applied."""
    with open(args.protocol) as f:
        p = yaml.safe_load(f)
    for flag, (section, key) in dict(
            train_per_class=('data', 'train_per_class'),
            val_per_class=('data', 'val_per_class'),
            style=('data', 'style'),
            iters=('train', 'iters'),
            batch_size=('train', 'batch_size'),
            eval_every=('train', 'eval_every'),
            seeds=('train', 'seeds'),
            num_workers=('train', 'num_workers'),
            stage_iters=('train', 'stage_iters'),
            init_seeds=('eval', 'init_seeds'),
            num_clips=('eval', 'num_clips'),
            frames=('data', 'frames'),
            video_size=('data', 'size')).items():
        value = getattr(args, flag, None)
        if value is not None:
            p[section][key] = value
    # ablations (and controls) run only when named; no name is both a method and an ablation
    ablations = p.pop('ablations', None) or {}
    both = set(ablations) & set(p['methods'])
    if both:
        raise SystemExit(f'{args.protocol}: {sorted(both)} are both methods and ablations')
    if args.methods:
        known = dict(p['methods'], **ablations)
        unknown = set(args.methods) - set(known)
        if unknown:
            raise SystemExit(f'unknown methods {sorted(unknown)}; the protocol has '
                             f'{sorted(p["methods"])} and the ablations {sorted(ablations)}')
        p['methods'] = {m: known[m] for m in args.methods}
    t = p['train']
    n_train = p['data']['train_per_class'] * len(CLASSES)
    per_epoch = n_train // t['batch_size']
    if per_epoch < 1 or t['iters'] % per_epoch:
        raise SystemExit(f'--iters {t["iters"]} must be a multiple of the iterations per '
                         f'epoch ({n_train} train videos // batch {t["batch_size"]} = '
                         f'{per_epoch})')
    if t['iters'] % t['eval_every']:
        raise SystemExit(f'--eval-every {t["eval_every"]} must divide --iters {t["iters"]}')
    t['iters_per_epoch'] = per_epoch
    return p


def prepare_data(p: dict, work_dir: str) -> str:
    """Generate the dataset unless one with the same parameters exists; its root."""
    d = p['data']
    root = osp.join(
        work_dir, 'data', f'{d["style"]}_tr{d["train_per_class"]}_va'
        f'{d["val_per_class"]}_f{d["frames"]}_s{d["size"]}_seed{d["seed"]}')
    done = osp.join(root, 'done.json')
    if osp.isfile(done):
        _log(f'data: reusing {root}')
        return root
    t0 = time.time()
    make_synthetic_dataset(
        root,
        d['train_per_class'],
        d['val_per_class'],
        d['frames'],
        d['size'],
        d['size'],
        d['seed'],
        style=d['style'])
    _write_json(done, dict(d, seconds=time.time() - t0))
    _log(f'data: wrote {root} in {time.time() - t0:.1f} s')
    return root


# --------------------------------------------------------------------------- training
def run_config(p: dict,
               config: str,
               root: str,
               seed: int,
               iters: int,
               eval_every: int,
               extra: Optional[dict] = None) -> Config:
    """``config`` with the benchmark's shared settings (the config a run trains)."""
    t = p['train']
    cfg = Config.fromfile(osp.join(REPO, config))
    epochs = iters // t['iters_per_epoch']
    dl = cfg.train_dataloader
    dl.batch_size = t['batch_size']
    dl.drop_last = True
    dl.num_workers = t['num_workers']
    dl.persistent_workers = t['num_workers'] > 0
    dl.dataset.ann_file = osp.join(root, 'train.txt')
    dl.dataset.data_prefix = ConfigDict(video=root)
    cfg.train_cfg = ConfigDict(type='EpochBasedTrainLoop', max_epochs=epochs, val_interval=10**9)
    cfg.optim_wrapper.optimizer = ConfigDict(t['optimizer'])
    cfg.param_scheduler = [
        ConfigDict(
            type='CosineAnnealingLR',
            T_max=epochs,
            begin=0,
            end=epochs,
            by_epoch=True,
            eta_min=t['eta_min'])
    ]
    cfg.default_hooks.checkpoint = ConfigDict(
        type='CheckpointHook',
        interval=eval_every,
        by_epoch=False,
        max_keep_ckpts=-1,
        save_last=True,
        save_optimizer=False,
        save_param_scheduler=False)
    cfg.default_hooks.logger = ConfigDict(
        type='LoggerHook', interval=min(10, eval_every), ignore_last=False)
    cfg.auto_scale_lr = ConfigDict(enable=False, base_batch_size=t['batch_size'])
    for key, value in (extra or {}).items():
        cfg.merge_from_dict({key: value})
    return cfg


def _sec_per_iter(run_dir: str) -> Optional[float]:
    """Median of the logged per-iteration times (mmengine's scalars.json)."""
    times = []
    for dirpath, _, files in os.walk(run_dir):
        if 'scalars.json' in files:
            with open(osp.join(dirpath, 'scalars.json')) as f:
                times += [json.loads(line)['time'] for line in f if '"time"' in line]
    if not times:
        return None
    times = sorted(times[1:] or times)  # the first window includes the start-up
    return times[len(times) // 2]


def train_run(p: dict,
              name: str,
              config: str,
              root: str,
              seed: int,
              iters: int,
              eval_every: int,
              work_dir: str,
              extra: Optional[dict] = None) -> dict:
    """Train one run (or reuse a finished one); its ``done.json`` record."""
    t = p['train']
    key = _hash(
        dict(
            config=config,
            cfg_sha=_file_sha(config),
            seed=seed,
            iters=iters,
            batch=t['batch_size'],
            eval_every=eval_every,
            root=root,
            optimizer=t['optimizer'],
            eta_min=t['eta_min'],
            extra=extra))
    run_dir = osp.join(work_dir, 'runs', name, f's{seed}_it{iters}_b{t["batch_size"]}_{key}')
    done = osp.join(run_dir, 'done.json')
    if osp.isfile(done):
        rec = _read_json(done)
        rec['checkpoints'] = {int(k): v for k, v in rec['checkpoints'].items()}  # JSON keys
        if all(osp.isfile(c) for c in rec['checkpoints'].values()):
            _log(f'{name} seed {seed}: skip training (finished: {run_dir})')
            return dict(rec, skipped=True)
    os.makedirs(run_dir, exist_ok=True)
    cfg = run_config(p, config, root, seed, iters, eval_every, extra)
    cfg_path = osp.join(run_dir, 'config.py')
    cfg.dump(cfg_path)
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), cfg_path, '--work-dir', run_dir, '--seed',
        str(seed), '--no-validate'
    ]
    _log(f'{name} seed {seed}: training {iters} iterations -> {run_dir}')
    t0 = time.time()
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    with open(osp.join(run_dir, 'train.log'), 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    wall = time.time() - t0
    if proc.returncode:
        with open(osp.join(run_dir, 'train.log')) as f:
            tail = f.read()[-4000:]
        raise RuntimeError(f'{name} seed {seed} failed ({proc.returncode}):\n{tail}')
    ckpts = {
        it: osp.join(run_dir, f'iter_{it}.pth')
        for it in range(eval_every, iters + 1, eval_every)
    }
    missing = [c for c in ckpts.values() if not osp.isfile(c)]
    if missing:
        raise RuntimeError(f'{name} seed {seed}: no checkpoint {missing}')
    rec = dict(
        method=name,
        config=config,
        seed=seed,
        iters=iters,
        batch_size=t['batch_size'],
        run_dir=run_dir,
        wall_s=wall,
        sec_per_iter=_sec_per_iter(run_dir),
        checkpoints=ckpts)
    _write_json(done, rec)
    _log(f'{name} seed {seed}: trained in {wall:.1f} s '
         f'({rec["sec_per_iter"] or float("nan"):.3f} s/iter logged)')
    return dict(rec, skipped=False)


def _file_sha(config: str) -> str:
    with open(osp.join(REPO, config), 'rb') as f:
        return hashlib.sha1(f.read()).hexdigest()[:8]


# --------------------------------------------------------------------------- evaluation
def evaluate_run(evaluator: SyntheticEvaluator, cfg: Config, rec: dict) -> Dict[int, dict]:
    """Evaluate every checkpoint of a run (results cached in the run folder)."""
    cache = osp.join(rec['run_dir'], f'eval_{evaluator.key()}.json')
    results = _read_json(cache) if osp.isfile(cache) else {}
    for it, ckpt in sorted(rec['checkpoints'].items()):
        if str(it) in results:
            continue
        t0 = time.time()
        results[str(it)] = dict(evaluator.evaluate(cfg, ckpt), eval_s=time.time() - t0)
        _write_json(cache, results)
        r = results[str(it)]
        _log(f'{rec["method"]} seed {rec["seed"]} iter {it}: R@1 {r["r1"]:.1f} '
             f'R@5 {r["r5"]:.1f} probe {r["probe_top1"]:.1f} ({r["eval_s"]:.1f} s)')
    return {int(k): v for k, v in results.items()}


def evaluate_random(evaluator: SyntheticEvaluator, cfg: Config, bb_key: str, seed: int,
                    work_dir: str) -> dict:
    """Random-init backbone of ``cfg`` under ``seed`` (cached by backbone, seed and the
    evaluator's key, which covers its data: the two styles never share a baseline)."""
    path = osp.join(work_dir, 'random_init', f'{bb_key}_s{seed}_{evaluator.key()}.json')
    if osp.isfile(path):
        return dict(_read_json(path), skipped=True)
    os.makedirs(osp.dirname(path), exist_ok=True)
    t0 = time.time()
    res = dict(evaluator.evaluate(cfg, None, seed), eval_s=time.time() - t0)
    _write_json(path, res)
    _log(f'random init {bb_key} seed {seed}: R@1 {res["r1"]:.1f} R@5 {res["r5"]:.1f} '
         f'probe {res["probe_top1"]:.1f} ({res["eval_s"]:.1f} s)')
    return dict(res, skipped=False)


# --------------------------------------------------------------------------- summary
def spread(values: List[float]) -> dict:
    """Mean, min, max and (population) std of ``values``."""
    t = torch.tensor(values, dtype=torch.float64)
    return dict(
        mean=t.mean().item(),
        min=t.min().item(),
        max=t.max().item(),
        std=t.std(unbiased=False).item(),
        n=len(values),
        values=list(values))


def summarise(p: dict, runs: Dict[str, List[dict]], random: Dict[str, List[dict]],
              bb_of: Dict[str, str], bb_names: Dict[str, str]) -> dict:
    """Per-method final metrics over seeds, curves, and the differences."""
    iters = p['train']['iters']
    methods = {}
    for m, recs in runs.items():
        final = {k: spread([r['eval'][iters][k] for r in recs]) for k in METRICS}
        points = sorted(recs[0]['eval'])
        curve = {
            k: [dict(iter=it, **spread([r['eval'][it][k] for r in recs])) for it in points]
            for k in METRICS
        }
        methods[m] = dict(
            config=p['methods'][m]['config'],
            backbone=bb_of[m],
            seeds=[r['seed'] for r in recs],
            final=final,
            curve=curve,
            wall_s=[r['wall_s'] for r in recs],
            sec_per_iter=[r['sec_per_iter'] for r in recs],
            stage_wall_s=[r.get('stage_wall_s') for r in recs])
    rand = {
        bb:
        dict(
            name=bb_names[bb],
            seeds=[r['seed'] for r in rs],
            final={k: spread([r[k] for r in rs])
                   for k in METRICS})
        for bb, rs in random.items()
    }
    ref = p.get('reference')
    for m, res in methods.items():
        res['delta_random'] = {
            k: res['final'][k]['mean'] - rand[res['backbone']]['final'][k]['mean']
            for k in METRICS
        }
        if ref in methods:
            res['delta_reference'] = {
                k: res['final'][k]['mean'] - methods[ref]['final'][k]['mean']
                for k in METRICS
            }
    return dict(methods=methods, random_init=rand, reference=ref)


def _cell(s: dict) -> str:
    return f'{s["mean"]:.1f} [{s["min"]:.1f}, {s["max"]:.1f}]'


def markdown_table(p: dict, summary: dict) -> str:
    """The results table (mean [min, max] over seeds)."""
    d, t, e = p['data'], p['train'], p['eval']
    ref = summary['reference']
    with_ref = ref in summary['methods']
    lines = [
        f'Synthetic {d["style"]} videos: {d["train_per_class"] * len(CLASSES)} train / '
        f'{d["val_per_class"] * len(CLASSES)} val, {len(CLASSES)} classes (chance: R@1 and '
        f'probe {100 / len(CLASSES):.1f} %). {t["iters"]} iterations x batch '
        f'{t["batch_size"]} per run. Eval: {e["num_clips"]} clips of {e["clip_len"]}x'
        f'{e["frame_interval"]} frames at {e["size"]}x{e["size"]}, last backbone stage '
        f'average-pooled{", BN statistics recalibrated" if e["recalibrate_bn"] else ""}.',
        'Cells: mean [min, max] over seeds. Delta: difference of means to the random init '
        'of the same backbone (rand)' + (f' and to {ref} (ref).' if with_ref else '.'), '',
        '| method | backbone | seeds | R@1 | R@5 | probe top-1 | dR@1 rand | ' +
        ('dR@1 ref | ' if with_ref else '') + 'dprobe rand | ' +
        ('dprobe ref | ' if with_ref else '') + 'train s/run |',
        '|---|---|---|---|---|---|---|---|---|' + ('---|---|' if with_ref else '')
    ]
    for m, r in summary['methods'].items():
        f = r['final']
        dref = r.get('delta_reference', {})
        d_r1 = f'{r["delta_random"]["r1"]:+.1f} | '
        d_probe = f'{r["delta_random"]["probe_top1"]:+.1f} | '
        if with_ref:
            d_r1 += f'{dref["r1"]:+.1f} | '
            d_probe += f'{dref["probe_top1"]:+.1f} | '
        lines.append(
            f'| {m} | {summary["random_init"][r["backbone"]]["name"]} | {len(r["seeds"])} | '
            f'{_cell(f["r1"])} | {_cell(f["r5"])} | {_cell(f["probe_top1"])} | {d_r1}{d_probe}'
            f'{sum(r["wall_s"]) / len(r["wall_s"]):.0f} |')
    empty = '| | | | | |' if with_ref else '| | | |'
    for bb, r in summary['random_init'].items():
        f = r['final']
        lines.append(f'| random init | {r["name"]} | {len(r["seeds"])} | {_cell(f["r1"])} | '
                     f'{_cell(f["r5"])} | {_cell(f["probe_top1"])} {empty}')
    return '\n'.join(lines) + '\n'


def plot_curves(p: dict, summary: dict, path: str) -> None:
    """R@1 and probe top-1 over training iterations: mean line, min-max band; iteration
    0 is the random init of the method's backbone (over the init seeds)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, key, title in zip(axes, ('r1', 'probe_top1'),
                              ('retrieval R@1 (%)', 'linear-probe top-1 (%)')):
        for m, r in summary['methods'].items():
            rand = summary['random_init'][r['backbone']]['final'][key]
            pts = [dict(iter=0, **rand)] + r['curve'][key]
            x = [q['iter'] for q in pts]
            line, = ax.plot(x, [q['mean'] for q in pts], marker='o', ms=3, label=m)
            ax.fill_between(
                x, [q['min'] for q in pts], [q['max'] for q in pts],
                color=line.get_color(),
                alpha=0.2)
        ax.axhline(100 / len(CLASSES), color='grey', ls=':', lw=1, label='chance')
        ax.set_xlabel(f'training iteration (batch {p["train"]["batch_size"]})')
        ax.set_ylabel(title)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f'{p["data"]["style"]} synthetic videos: mean and min-max over seeds '
        '(iteration 0: random init of the backbone)',
        fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------- main
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--protocol', default=PROTOCOL, help='protocol file')
    parser.add_argument(
        '--methods',
        nargs='+',
        default=None,
        help='methods, ablations and controls to run, by their protocol names (default: every '
        'method, no ablation)')
    parser.add_argument('--seeds', type=int, nargs='+', default=None, help='training seeds')
    parser.add_argument(
        '--init-seeds',
        type=int,
        nargs='+',
        default=None,
        help='random-init seeds of the baselines')
    parser.add_argument(
        '--iters',
        type=int,
        default=None,
        help='training iterations per run (a multiple of an epoch)')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument(
        '--eval-every',
        type=int,
        default=None,
        help='checkpoint (curve point) interval in iterations')
    parser.add_argument(
        '--stage-iters',
        type=int,
        default=None,
        help='iterations of a method\'s first stage (view generator)')
    parser.add_argument('--train-per-class', type=int, default=None)
    parser.add_argument('--val-per-class', type=int, default=None)
    parser.add_argument('--style', choices=STYLES, default=None)
    parser.add_argument('--frames', type=int, default=None, help='frames per video')
    parser.add_argument('--video-size', type=int, default=None, help='frame side (pixels)')
    parser.add_argument('--num-clips', type=int, default=None, help='eval clips per video')
    parser.add_argument('--num-workers', type=int, default=None, help='training dataloader workers')
    parser.add_argument(
        '--train-only', action='store_true', help='train (or skip finished) runs, evaluate nothing')
    parser.add_argument(
        '--work-dir',
        default=osp.join('work_dirs', 'learning_signal'),
        help='data, runs and evaluation caches')
    parser.add_argument(
        '--out-dir',
        default=None,
        help='results.json, results.md, r1_curve.png (default: WORK_DIR)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    p = load_protocol(args)
    work_dir = osp.abspath(args.work_dir)
    out_dir = osp.abspath(args.out_dir or work_dir)
    os.makedirs(out_dir, exist_ok=True)
    register_all_modules(init_default_scope=True)
    MMLogger.get_instance('learning_benchmark', log_level='WARNING')
    t_start = time.time()
    root = prepare_data(p, work_dir)
    t = p['train']
    e = p['eval']
    evaluator = SyntheticEvaluator(
        root,
        clip_len=e['clip_len'],
        frame_interval=e['frame_interval'],
        num_clips=e['num_clips'],
        size=e['size'],
        recalibrate_bn=e['recalibrate_bn'],
        bn_videos=e['bn_videos'],
        probe_steps=e['probe_steps'])
    cfgs = {m: Config.fromfile(osp.join(REPO, spec['config'])) for m, spec in p['methods'].items()}
    if not args.train_only:  # fail in seconds, not after the training
        for cfg in cfgs.values():
            evaluator.check_backbone(cfg)
    runs, bb_of, bb_cfg, bb_names = {}, {}, {}, {}
    for m, spec in p['methods'].items():
        cfg = cfgs[m]
        bb = backbone_key(cfg)
        bb_of[m] = bb
        bb_cfg.setdefault(bb, cfg)
        bb_names.setdefault(bb, f'{cfg.model.backbone.type} ({bb})')
        runs[m] = []
        for seed in t['seeds']:
            extra, stage_wall = {}, None
            if spec.get('stage'):
                st = spec['stage']
                it = t.get('stage_iters') or st['iters']
                srec = train_run(p, f'{m}.{st["name"]}', st['config'], root, seed, it, it, work_dir)
                extra = {st['ckpt_key']: srec['checkpoints'][it]}
                stage_wall = srec['wall_s']
            rec = train_run(p, m, spec['config'], root, seed, t['iters'], t['eval_every'], work_dir,
                            extra)
            if not args.train_only:
                rec['eval'] = evaluate_run(evaluator, cfg, rec)
            rec['stage_wall_s'] = stage_wall
            runs[m].append(rec)
    if args.train_only:
        _log(f'trained {sum(len(r) for r in runs.values())} runs ({time.time() - t_start:.0f} s)')
        return dict(runs=[r for rs in runs.values() for r in rs])
    random = {
        bb:
        [dict(evaluate_random(evaluator, cfg, bb, s, work_dir), seed=s) for s in e['init_seeds']]
        for bb, cfg in bb_cfg.items()
    }
    summary = summarise(p, runs, random, bb_of, bb_names)
    results = dict(
        protocol=p,
        data_root=root,
        evaluator=dict(evaluator.settings, key=evaluator.key()),
        command=' '.join(['python', 'tools/analysis/learning_benchmark.py'] +
                         (sys.argv[1:] if argv is None else list(argv))),
        runs=[
            dict({
                k: v
                for k, v in r.items() if k != 'eval'
            },
                 eval={
                     str(k): v
                     for k, v in r['eval'].items()
                 }) for rs in runs.values() for r in rs
        ],
        random_init_runs={
            bb: rs
            for bb, rs in random.items()
        },
        spread='min-max over seeds (std also given)',
        wall_s=time.time() - t_start,
        **summary)
    _write_json(osp.join(out_dir, 'results.json'), results)
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(markdown_table(p, summary))
    plot_curves(p, summary, osp.join(out_dir, 'r1_curve.png'))
    _log(f'wrote {out_dir}/results.json, results.md, r1_curve.png '
         f'({time.time() - t_start:.0f} s)')
    print(markdown_table(p, summary))
    return results


if __name__ == '__main__':
    main()
