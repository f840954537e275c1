"""Embed videos with a pretrained vssl_mm backbone: one ``.npy`` per video plus an index.

    python tools/extract_features.py CONFIG CKPT VIDEO_OR_FOLDER... --out DIR [options]
    python tools/extract_features.py CONFIG CKPT --list ANN_FILE [--data-prefix ROOT] --out DIR
    PORT=29501 bash tools/dist_extract_features.sh CONFIG CKPT NPROC --list ANN --out DIR

CKPT: an algorithm checkpoint of any method, an exported backbone-only file, or ``none``
(random initialisation, e.g. the baseline of a retrieval comparison). The
preprocessing is the config's retrieval test pipeline (see
:func:`vssl_mm.apis.build_inference_pipeline`), so a retrieval benchmark config gives the
vectors the benchmark ranks.

Writes ``DIR/<video name>.npy`` (``(D,)`` float32, the mean of the clip features;
``(V, D)`` with ``--per-clip``), where the name is the video's path relative to the data
prefix (``--list``) or to a folder given on the command line, or the file name of a video
given on its own, extension dropped (kept, e.g. ``clip.avi.npy``, for files that differ
only by it; other collisions are refused);
``DIR/index.tsv`` (``video``, ``features`` relative to DIR, ``label`` when the list has
one) listing every video whose file exists, in input order; ``DIR/failed.tsv`` (video,
error) for videos that could not be read; ``DIR/extraction.json``: what made the
features (config text hash, checkpoint path + size + mtime, every option). A video whose
``.npy`` already exists is skipped (resume) only when ``extraction.json`` matches this run;
a changed model or option re-extracts everything (said on the console). Files are written
atomically. Paths in ``--list`` resolve against ``--data-prefix``, else against the list's
own folder. The run ends with a one-line summary and exits with status 1 when any video
failed (``--allow-partial``: 0 as long as one video was extracted). With
``--launcher pytorch`` (torchrun) rank ``r`` of ``W`` takes videos ``r, r + W, ...``;
rank 0 writes the index after all ranks finish.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402

import vssl_mm  # noqa: E402,F401  (stack fixes before mmaction.models)
from vssl_mm.apis import build_inference_pipeline, init_model  # noqa: E402
from vssl_mm.apis.inference import VideoClips, clip_features, video_key  # noqa: E402

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.mpg', '.mpeg')


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Extract video features with a vssl_mm model')
    p.add_argument('config', help='config (pretraining or benchmark) of the checkpoint')
    p.add_argument(
        'checkpoint',
        help="algorithm checkpoint, backbone-only file, or 'none' "
        '(random initialisation)')
    p.add_argument(
        'videos',
        nargs='*',
        help='video files and/or folders (searched '
        f'recursively for {", ".join(VIDEO_EXTS)})')
    p.add_argument('--list', dest='ann_file', help='annotation file, "path [label]" lines')
    p.add_argument(
        '--data-prefix',
        default=None,
        help="root of the paths in --list "
        "(default: the list's folder)")
    p.add_argument(
        '--allow-partial',
        action='store_true',
        help='exit 0 when some videos failed but at least one was extracted')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument(
        '--clip-len', type=int, default=None, help="frames per clip (default: "
        "the config's)")
    p.add_argument('--num-clips', type=int, default=10, help='clips per video')
    p.add_argument('--batch-size', type=int, default=10, help='clips per forward pass')
    p.add_argument('--stage', type=int, default=-1, help='backbone output stage')
    p.add_argument('--pool', default='avg', choices=['avg', 'max'])
    p.add_argument('--per-clip', action='store_true', help='save (V, D) clip features')
    p.add_argument('--num-workers', type=int, default=2, help='decoding processes')
    p.add_argument('--device', default=None, help='default: cuda:LOCAL_RANK if available')
    p.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='override config settings, key=value')
    p.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args()
    if bool(args.videos) == bool(args.ann_file):
        p.error('give either VIDEOS... or --list ANN_FILE')
    return args


def collect_videos(args) -> list:
    """``[(video_path, key, label_or_None)]`` in input order; keys must be unique."""
    items = []
    if args.ann_file:
        from vssl_mm.datasets import VideoSSLDataset
        prefix = args.data_prefix if args.data_prefix is not None else \
            osp.dirname(osp.abspath(args.ann_file))
        ds = VideoSSLDataset(
            args.ann_file, pipeline=[], lazy_init=True, data_prefix=dict(video=prefix))
        for info in ds.load_data_list():
            rel = osp.relpath(info['filename'], prefix) if prefix else info['filename']
            label = info['label'] if info['label'] >= 0 else None
            items.append((info['filename'], video_key(rel), label))
    for v in args.videos:
        if osp.isdir(v):
            found = []
            for root, _, files in os.walk(v):
                found += [osp.join(root, f) for f in files if f.lower().endswith(VIDEO_EXTS)]
            items += [(f, video_key(osp.relpath(f, v)), None) for f in sorted(found)]
        else:
            items.append((v, video_key(osp.basename(v)), None))
    # two files that differ only by extension (clip.mp4, clip.avi) keep it in their name
    by_key: dict = {}
    for path, key, _ in items:
        by_key.setdefault(key, set()).add(osp.abspath(path))

    def distinct_by_extension(key: str) -> bool:
        group = by_key[key]
        return len(group) > 1 and len({osp.splitext(p)[1].lower() for p in group}) == len(group)

    items = [(path, key + osp.splitext(path)[1].lower() if distinct_by_extension(key) else key,
              label) for path, key, label in items]
    seen = {}
    for path, key, _ in items:
        if key in seen and osp.abspath(seen[key]) != osp.abspath(path):
            sys.exit(f'extract_features: "{path}" and "{seen[key]}" map to the same output '
                     f'name "{key}.npy" (same file name in different inputs); pass their '
                     'common folder or a --list instead')
        seen[key] = path
    return items


class _Clips(torch.utils.data.Dataset):
    """Decoding in DataLoader workers; a failure is returned, not raised."""

    def __init__(self, items, prepare):
        self.items, self.prepare = items, prepare

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        try:
            return i, self.prepare(self.items[i][0]), None
        except Exception as e:  # unreadable, too short, ...
            return i, None, f'{type(e).__name__}: {str(e).splitlines()[0] if str(e) else e}'


def extraction_record(args, cfg: Config) -> dict:
    """What determines the features: config content, checkpoint identity, options."""
    import hashlib
    ckpt = None
    if args.checkpoint.lower() != 'none':
        st = os.stat(args.checkpoint)
        ckpt = dict(path=osp.abspath(args.checkpoint), size=st.st_size, mtime_ns=st.st_mtime_ns)
    return dict(
        config=osp.abspath(args.config),
        config_sha256=hashlib.sha256(cfg.pretty_text.encode()).hexdigest(),
        checkpoint=ckpt,
        options=dict(
            clip_len=args.clip_len,
            num_clips=args.num_clips,
            stage=args.stage,
            pool=args.pool,
            per_clip=args.per_clip))


def save_npy(path: str, arr: np.ndarray) -> None:
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        np.save(f, arr)
    os.replace(tmp, path)


def main() -> int:
    args = parse_args()
    rank, world = 0, 1
    if args.launcher == 'pytorch':
        import torch.distributed as dist
        rank, world = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
        dist.init_process_group(
            'nccl' if torch.cuda.is_available() else 'gloo', rank=rank, world_size=world)
    local_rank = int(os.environ.get('LOCAL_RANK', args.local_rank))
    device = args.device or (f'cuda:{local_rank}' if torch.cuda.is_available() else 'cpu')

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    items = collect_videos(args)
    os.makedirs(args.out, exist_ok=True)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    if checkpoint is not None and not osp.isfile(checkpoint):
        sys.exit(f'extract_features: checkpoint "{checkpoint}" not found (pass none for '
                 'a randomly initialised backbone)')
    record = extraction_record(args, cfg)
    record_path = osp.join(args.out, 'extraction.json')
    stale = False
    if osp.isfile(record_path):
        with open(record_path) as f:
            stale = json.load(f) != record
    if world > 1:
        import torch.distributed as dist
        dist.barrier()  # every rank read the old record before rank 0 replaces it
    if rank == 0:
        if stale:
            print(
                f'{args.out} holds features of another model or options '
                f'({record_path} differs): re-extracting every video',
                flush=True)
        with open(record_path + '.tmp', 'w') as f:
            json.dump(record, f, indent=1)
        os.replace(record_path + '.tmp', record_path)
    model = init_model(cfg, checkpoint, device=device)
    prepare = VideoClips(build_inference_pipeline(cfg, args.clip_len, args.num_clips))

    def npy_of(key):
        return osp.join(args.out, key + '.npy')

    mine = list(range(rank, len(items), world))
    todo = [i for i in mine if stale or not osp.isfile(npy_of(items[i][1]))]
    stats = dict(extracted=0, skipped=len(mine) - len(todo), failed=[])
    bar = None
    if rank == 0:
        from mmengine.utils import ProgressBar
        print(
            f'{len(items)} videos, {world} process(es); rank 0: {len(todo)} to extract, '
            f'{stats["skipped"]} already done',
            flush=True)
        bar = ProgressBar(len(todo)) if todo else None
    loader = torch.utils.data.DataLoader(
        _Clips([items[i] for i in todo], prepare),
        batch_size=None,
        shuffle=False,
        num_workers=args.num_workers)
    t0 = time.time()
    for j, clips, err in loader:
        path, key, _ = items[todo[j]]
        if err is None:
            try:
                f = clip_features(model, clips, args.batch_size, args.stage, args.pool)
                save_npy(npy_of(key), (f if args.per_clip else f.mean(0)).numpy())
                stats['extracted'] += 1
            except Exception as e:  # e.g. a clip too small for the backbone
                err = f'{type(e).__name__}: {e}'
        if err is not None:
            stats['failed'].append((path, err))
            print(f'\n[rank {rank}] cannot read "{path}": {err}', file=sys.stderr, flush=True)
        if bar is not None:
            bar.update()
    stats['seconds'] = time.time() - t0
    with open(osp.join(args.out, f'.rank{rank}.json'), 'w') as f:
        json.dump(stats, f)

    if world > 1:
        import torch.distributed as dist
        dist.barrier()
    status = 0
    if rank == 0:
        merged = dict(extracted=0, skipped=0, failed=[])
        for r in range(world):
            part = osp.join(args.out, f'.rank{r}.json')
            with open(part) as f:
                s = json.load(f)
            os.remove(part)
            merged['extracted'] += s['extracted']
            merged['skipped'] += s['skipped']
            merged['failed'] += [tuple(x) for x in s['failed']]
        rows = ['video\tfeatures\tlabel']
        for path, key, label in items:
            if osp.isfile(npy_of(key)):
                rows.append(f'{path}\t{key}.npy\t{"" if label is None else label}')
        with open(osp.join(args.out, 'index.tsv'), 'w') as f:
            f.write('\n'.join(rows) + '\n')
        with open(osp.join(args.out, 'failed.tsv'), 'w') as f:
            f.write(''.join(f'{p}\t{e}\n' for p, e in merged['failed']))
        for p, e in merged['failed']:
            print(f'  failed: {p} ({e})')
        print(f'\nextracted {merged["extracted"]}, skipped {merged["skipped"]} (already '
              f'done), failed {len(merged["failed"])}; index: '
              f'{osp.join(args.out, "index.tsv")} ({len(rows) - 1} videos)')
        if merged['failed'] and not (args.allow_partial and len(rows) > 1):
            status = 1
    if world > 1:
        import torch.distributed as dist
        dist.barrier()
        dist.destroy_process_group()
    return status


if __name__ == '__main__':
    sys.exit(main())
