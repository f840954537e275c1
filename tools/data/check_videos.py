"""Check every video of an annotation list before a long run: readable, and read exactly.

    python tools/data/check_videos.py ANN_FILE [--root DIR] [--workers N]
        [--out CLEAN_LIST] [--num-probe K] [--report REPORT.json] [--backend auto]
        [--list-all]

Each video is decoded in order with PyAV, frame by frame (all of it: a truncated file
often fails only on its last frames); this is the reference. Then ``K`` random frames are
read again with each backend's random access (decord's, and vssl_mm's exact PyAV reader;
shuffled single reads, then one sorted batch as ``MultiViewDecode`` asks) and compared
with the in-order frames. Each video gets

* the measured verdict per backend (``decord_exact``, ``pyav_exact``), what the loader
  does with it (``loader``: what ``VideoOpen(backend=--backend)`` reads it with), and
* a status: ``unreadable`` (missing, empty, not a video, no frames, decoding failed),
  ``too_short`` (fewer than ``--min-frames``), ``random_access_mismatch`` (the loader's
  reader delivers other frames than in-order decoding: it happens with
  ``--backend decord`` on AVI/H.264 with B-frames; keep the default ``auto`` or
  re-encode without B-frames), or ``ok``.

Files that decord alone would misread but the loader reads exactly are ``ok`` and
counted in the summary (``decord misreads, loader exact``). ``--out`` writes the
annotation lines of the ``ok`` videos (same format, same order). ``--report`` writes
every video's result. The exit status is 0 when every video is ok and 1 otherwise.
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
    p.add_argument(
        '--num-probe',
        type=int,
        default=8,
        help='frames read with random access and compared per video')
    p.add_argument(
        '--tolerance',
        type=float,
        default=1.0,
        help='mean absolute pixel difference above which frames differ')
    p.add_argument(
        '--min-frames',
        type=int,
        default=1,
        help='report videos with fewer frames as too_short (set it to what '
        "the method's sampler needs after its fallback)")
    p.add_argument('--seed', type=int, default=0)
    p.add_argument(
        '--backend',
        default='auto',
        choices=['auto', 'pyav', 'decord'],
        help="the VideoOpen backend the training config uses")
    p.add_argument(
        '--list-all',
        action='store_true',
        help='print every video: codec, verdict per backend, loader')
    return p.parse_args(argv)


def _first_line(e: Exception) -> str:
    text = str(e).splitlines()
    return (text[0] if text else type(e).__name__)[:200]


def _in_order(path: str, wanted: set) -> Tuple[int, Dict[int, np.ndarray]]:
    """Decode ``path`` in order with PyAV: (frames decoded, {index: RGB frame})."""
    import av
    kept: Dict[int, np.ndarray] = {}
    count = 0
    with av.open(path) as container:
        for frame in container.decode(container.streams.video[0]):
            if count in wanted:
                kept[count] = frame.to_ndarray(format='rgb24')
            count += 1
    return count, kept


def check_video(path: str,
                num_probe: int = 8,
                tolerance: float = 1.0,
                seed: int = 0,
                min_frames: int = 1,
                backend: str = 'auto') -> Result:
    """Decode ``path`` in order, probe each backend's random access; a result dict."""
    from vssl_mm.datasets.decoding import DecordVideo, PyAVVideo, probe_stream
    if not osp.isfile(path):
        return dict(path=path, status='unreadable', reason='file not found')
    if osp.getsize(path) == 0:
        return dict(path=path, status='unreadable', reason='empty file')
    try:
        info = probe_stream(path)
    except Exception as e:
        return dict(path=path, status='unreadable', reason=f'cannot open: {_first_line(e)}')
    total = info.num_packets
    if total <= 0:
        return dict(path=path, status='unreadable', reason='no frames')
    rng = np.random.RandomState((seed + zlib.crc32(osp.basename(path).encode())) % 2**32)
    probe = np.unique(rng.randint(0, total, size=min(num_probe, total)))
    try:
        decoded, kept = _in_order(path, set(probe.tolist()))
    except Exception as e:
        return dict(
            path=path,
            status='unreadable',
            total_frames=total,
            reason=f'decoding in order failed: {_first_line(e)}')
    if decoded == 0:
        return dict(path=path, status='unreadable', total_frames=total, reason='no frame decodes')
    probe = probe[probe < decoded]
    result: Result = dict(
        path=path, total_frames=decoded, codec=info.codec, reordered=info.reordered)
    if decoded < total:
        result['note'] = (f'the container lists {total} frames, {decoded} decode in '
                          'order; the loader learns the true count on the first miss')
    if decoded < max(total // 2, 1):
        return dict(
            result, status='unreadable', reason=f'only {decoded} of {total} frames decode in order')
    for name, make in (('decord', lambda: DecordVideo(path)), ('pyav',
                                                               lambda: PyAVVideo(path, info=info))):
        try:
            reader = make()
            shuffled = rng.permutation(probe)
            got = {int(i): reader.get_frames(np.array([i]))[0] for i in shuffled}
            batch = reader.get_frames(probe)
            bad = [
                int(i) for j, i in enumerate(probe.tolist()) if any(
                    np.abs(f.astype(np.float32) - kept[i]).mean() > tolerance
                    for f in (got[i], batch[j]))
            ]
            result[f'{name}_exact'] = not bad
            if bad:
                result[f'{name}_wrong_frames'] = bad
        except Exception as e:
            result[f'{name}_exact'] = False
            result[f'{name}_error'] = _first_line(e)
    info = probe_stream(path)  # the PyAV reader may have learnt the timestamps lie
    chosen = info.backend_for(backend)
    result['loader'] = chosen + (f' ({info.pyav_mode})' if chosen == 'pyav' else '')
    if decoded < min_frames:
        return dict(
            result,
            status='too_short',
            reason=f'{decoded} frames, fewer than --min-frames={min_frames}')
    if not result[f'{chosen}_exact']:
        wrong = result.get(f'{chosen}_wrong_frames', result.get(f'{chosen}_error'))
        advice = ("use VideoOpen(backend='auto') (the default), which reads it with PyAV"
                  if chosen == 'decord' and result['pyav_exact'] else
                  're-encode without B-frames, e.g. ffmpeg -i IN -c:v libx264 -bf 0 OUT.mp4')
        return dict(
            result,
            status='random_access_mismatch',
            reason=f'{chosen} random access differs from in-order decoding at '
            f'frames {wrong}: {advice}')
    return dict(result, status='ok')


def _work(job: Tuple[str, int, float, int, int, str]) -> Result:
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
    jobs = [(p, args.num_probe, args.tolerance, args.seed, args.min_frames, args.backend)
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
    if args.list_all:
        for _, p in entries:
            r = results[p]
            print(f'{r["status"]}: {p}: codec {r.get("codec", "?")}, decord exact '
                  f'{r.get("decord_exact", "?")}, pyav exact {r.get("pyav_exact", "?")}, '
                  f'loader {r.get("loader", "-")}' + (f', {r["note"]}' if 'note' in r else ''))
    for r in problems:
        print(f'{r["status"]}: {r["path"]}: {r["reason"]}')
    print(f'checked {len(entries)} videos: ' + ', '.join(f'{k} {v}'
                                                         for k, v in sorted(counts.items())))
    loaders: Dict[str, int] = {}
    for r in results.values():
        if 'loader' in r:
            loaders[str(r['loader'])] = loaders.get(str(r['loader']), 0) + 1
    rescued = sum(1 for r in results.values()
                  if r['status'] == 'ok' and r.get('decord_exact') is False)
    print(f'loader (VideoOpen backend={args.backend!r}): ' +
          ', '.join(f'{k} {v}' for k, v in sorted(loaders.items())) +
          f'; decord misreads, loader exact: {rescued}')
    if args.out:
        with open(args.out, 'w') as f:
            for line, p in entries:
                if results[p]['status'] == 'ok':
                    f.write(line + '\n')
        print(f'wrote {counts.get("ok", 0)} readable videos to {args.out}')
    if args.report:
        with open(args.report, 'w') as f:
            json.dump(
                dict(counts=counts, problems=problems, videos=[results[p] for _, p in entries]),
                f,
                indent=1)
    return 0 if not problems else 1


if __name__ == '__main__':
    sys.exit(main())
