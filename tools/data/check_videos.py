"""Check every video of an annotation list before a long run (DESIGN.md pitfall 10).

    python tools/data/check_videos.py ANN_FILE [--root DIR] [--workers N]
        [--out CLEAN_LIST] [--num-probe K] [--report REPORT.json]

Each video is opened with decord and decoded in order, frame by frame (all of it: a
truncated file often fails only on its last frames); then ``K`` random frames are read
again with random access (``get_batch`` on a fresh reader, as the training pipeline does)
and compared with the in-order frames. Videos are reported as

* ``unreadable``: missing, empty, not a video, no frames, or decoding failed;
* ``too_short``: fewer frames than ``--min-frames``;
* ``random_access_mismatch``: random access returned other frames than in-order
  decoding (AVI with B-frames, e.g. Xvid/DivX in UCF101/HMDB51: re-encode to mp4);
* ``ok``.

``--out`` writes the annotation lines of the ``ok`` videos (same format, same order).
The exit status is 0 when every video is ok and 1 otherwise.
"""
import argparse
import json
import multiprocessing as mp
import os.path as osp
import sys
import zlib
from typing import Dict, List, Optional, Tuple

import numpy as np

Result = Dict[str, object]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Find unreadable videos and videos whose '
                                'random access disagrees with in-order decoding')
    p.add_argument('ann_file', help='annotation list ("path [label]" per line)')
    p.add_argument('--root', default='', help='folder the listed paths are relative to')
    p.add_argument('--workers', type=int, default=4, help='parallel processes')
    p.add_argument('--out', help='write the lines of the readable videos here')
    p.add_argument('--report', help='write a JSON report of every problem here')
    p.add_argument('--num-probe', type=int, default=8,
                   help='frames read with random access and compared per video')
    p.add_argument('--tolerance', type=float, default=1.0,
                   help='mean absolute pixel difference above which frames differ')
    p.add_argument('--min-frames', type=int, default=1,
                   help='report videos with fewer frames as too_short (set it to what '
                   "the method's sampler needs after its fallback)")
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def check_video(path: str, num_probe: int = 8, tolerance: float = 1.0,
                seed: int = 0, min_frames: int = 1) -> Result:
    """Decode ``path`` in order, then probe random access; return a result dict."""
    if not osp.isfile(path):
        return dict(path=path, status='unreadable', reason='file not found')
    if osp.getsize(path) == 0:
        return dict(path=path, status='unreadable', reason='empty file')
    import decord
    try:
        reader = decord.VideoReader(path, num_threads=1)
        total = len(reader)
    except Exception as e:  # decord raises DECORDError / RuntimeError
        return dict(path=path, status='unreadable',
                    reason=f'cannot open: {str(e).splitlines()[0][:200]}')
    if total <= 0:
        return dict(path=path, status='unreadable', reason='no frames')
    rng = np.random.RandomState((seed + zlib.crc32(osp.basename(path).encode())) % 2**32)
    probe = np.unique(rng.randint(0, total, size=min(num_probe, total)))
    kept: Dict[int, np.ndarray] = {}
    wanted = set(probe.tolist())
    decoded = 0
    try:
        for i in range(total):
            frame = reader.next().asnumpy()
            decoded += 1
            if i in wanted:
                kept[i] = frame
    except StopIteration:
        pass
    except Exception as e:
        return dict(path=path, status='unreadable', total_frames=total,
                    reason=f'decoding failed at frame {decoded} of {total}: '
                    f'{str(e).splitlines()[0][:200]}')
    if decoded < total:
        return dict(path=path, status='unreadable', total_frames=total,
                    reason=f'only {decoded} of {total} frames decode in order')
    del reader
    try:
        random_reader = decord.VideoReader(path, num_threads=1)
        # shuffled order first (backward seeks), then sorted like MultiViewDecode
        shuffled = rng.permutation(probe)
        got = {int(i): random_reader.get_batch([int(i)]).asnumpy()[0] for i in shuffled}
        batch = random_reader.get_batch(probe.tolist()).asnumpy()
    except Exception as e:
        return dict(path=path, status='unreadable', total_frames=total,
                    reason=f'random access failed: {str(e).splitlines()[0][:200]}')
    bad = []
    for j, i in enumerate(probe.tolist()):
        ref = kept[i].astype(np.float32)
        for frame in (got[i], batch[j]):
            if np.abs(frame.astype(np.float32) - ref).mean() > tolerance:
                bad.append(i)
                break
    if total < min_frames:
        return dict(path=path, status='too_short', total_frames=total,
                    reason=f'{total} frames, fewer than --min-frames={min_frames}')
    if bad:
        return dict(path=path, status='random_access_mismatch', total_frames=total,
                    reason=f'random access differs from in-order decoding at frames '
                    f'{bad} (re-encode, e.g. to mp4)')
    return dict(path=path, status='ok', total_frames=total)


def _work(job: Tuple[str, int, float, int, int]) -> Result:
    return check_video(*job)


def read_list(ann_file: str, root: str) -> List[Tuple[str, str]]:
    """(annotation line, full path) for every non-empty line."""
    out = []
    with open(ann_file) as f:
        for line in f:
            if line.strip():
                out.append((line.rstrip('\n'), osp.join(root, line.split()[0])))
    return out


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from mmengine.utils import ProgressBar
    entries = read_list(args.ann_file, args.root)
    jobs = [(p, args.num_probe, args.tolerance, args.seed, args.min_frames)
            for _, p in entries]
    results: Dict[str, Result] = {}
    bar = ProgressBar(len(jobs), file=sys.stderr)
    if args.workers > 1:
        ctx = mp.get_context('spawn')  # decord readers are made inside the workers
        with ctx.Pool(args.workers) as pool:
            for r in pool.imap_unordered(_work, jobs, chunksize=1):
                results[r['path']] = r
                bar.update()
    else:
        for job in jobs:
            r = _work(job)
            results[r['path']] = r
            bar.update()
    sys.stderr.write('\n')
    problems = [results[p] for _, p in entries if results[p]['status'] != 'ok']
    counts: Dict[str, int] = {}
    for r in results.values():
        counts[str(r['status'])] = counts.get(str(r['status']), 0) + 1
    for r in problems:
        print(f'{r["status"]}: {r["path"]}: {r["reason"]}')
    print(f'checked {len(entries)} videos: ' +
          ', '.join(f'{k} {v}' for k, v in sorted(counts.items())))
    if args.out:
        with open(args.out, 'w') as f:
            for line, p in entries:
                if results[p]['status'] == 'ok':
                    f.write(line + '\n')
        print(f'wrote {counts.get("ok", 0)} readable videos to {args.out}')
    if args.report:
        with open(args.report, 'w') as f:
            json.dump(dict(counts=counts, problems=problems), f, indent=1)
    return 0 if not problems else 1


if __name__ == '__main__':
    sys.exit(main())
