"""Re-encode videos to mp4 with the short side resized (128 px, as the papers use).

    python tools/data/resize_videos.py SRC_ROOT DST_ROOT [--short-side 128] [--ext avi]
        [--workers 8]

Keeps the folder layout, writes ``.mp4``. Frames are read strictly in order. Uses
ffmpeg (libx264 without B-frames, a keyframe every 32 frames) when it is on PATH, else
OpenCV's ``mp4v`` writer: both give streams that are not reordered, which
``VideoOpen(backend='auto')`` reads with decord's random access (fastest). Re-encoding is
optional: the loader reads the original files exactly too (see docs/datasets.md). Files
that fail or yield no frames are listed at the end (exit code 1).
"""
import argparse
import glob
import os
import os.path as osp
import shutil
import subprocess
from multiprocessing import Pool
from typing import Tuple


def _target_size(w: int, h: int, short: int) -> Tuple[int, int]:
    if w <= h:
        nw, nh = short, int(round(h * short / w))
    else:
        nw, nh = int(round(w * short / h)), short
    return nw + nw % 2, nh + nh % 2  # even sizes for the encoders


def resize_one(args) -> Tuple[str, str]:
    src, dst, short, use_ffmpeg = args
    os.makedirs(osp.dirname(dst), exist_ok=True)
    if use_ffmpeg:
        cmd = [
            'ffmpeg', '-loglevel', 'error', '-y', '-i', src, '-vf',
            f"scale='if(gt(iw,ih),-2,{short})':'if(gt(iw,ih),{short},-2)'", '-c:v', 'libx264',
            '-bf', '0', '-g', '32', '-pix_fmt', 'yuv420p', '-an', dst
        ]
        res = subprocess.run(cmd, capture_output=True, text=True)
        return src, '' if res.returncode == 0 else res.stderr.strip()[-200:]
    import cv2
    cap = cv2.VideoCapture(src)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    writer, n = None, 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if writer is None:
            h, w = frame.shape[:2]
            size = _target_size(w, h, short)
            writer = cv2.VideoWriter(dst, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
        writer.write(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
        n += 1
    cap.release()
    if writer is not None:
        writer.release()
    return src, '' if n > 0 else 'no frame could be decoded'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src_root')
    parser.add_argument('dst_root')
    parser.add_argument('--short-side', type=int, default=128)
    parser.add_argument('--ext', default='avi', help='input extension(s), comma separated')
    parser.add_argument('--workers', type=int, default=8)
    parser.add_argument('--backend', choices=['auto', 'ffmpeg', 'opencv'], default='auto')
    args = parser.parse_args()
    use_ffmpeg = args.backend == 'ffmpeg' or (args.backend == 'auto'
                                              and shutil.which('ffmpeg') is not None)
    srcs = []
    for ext in args.ext.split(','):
        srcs += glob.glob(osp.join(args.src_root, '**', f'*.{ext}'), recursive=True)
    jobs = []
    for src in sorted(srcs):
        rel = osp.relpath(src, args.src_root)
        dst = osp.join(args.dst_root, osp.splitext(rel)[0] + '.mp4')
        if not osp.isfile(dst):
            jobs.append((src, dst, args.short_side, use_ffmpeg))
    print(f'{len(srcs)} videos found, {len(jobs)} to convert '
          f'({"ffmpeg" if use_ffmpeg else "opencv"})')
    failed = []
    with Pool(max(1, args.workers)) as pool:
        for i, (src, err) in enumerate(pool.imap_unordered(resize_one, jobs), 1):
            if err:
                failed.append((src, err))
            if i % 500 == 0 or i == len(jobs):
                print(f'{i}/{len(jobs)} done, {len(failed)} failed')
    for src, err in failed:
        print(f'FAILED {src}: {err}')
    raise SystemExit(1 if failed else 0)


if __name__ == '__main__':
    main()
