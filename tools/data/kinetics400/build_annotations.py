"""Kinetics-400 annotation lists (mmaction2 format) from the official CSV files.

    python tools/data/kinetics400/build_annotations.py data/kinetics400/annotations \
        --video-root data/kinetics400/videos_128 --out-dir data/kinetics400

Reads ``train.csv`` / ``validate.csv`` (header ``label,youtube_id,time_start,time_end,
split[,is_cc]``). Videos are expected at ``<split_dir>/<label>/<youtube_id>_<start:06d>_
<end:06d>.mp4`` (the layout of the official downloader, with spaces in labels kept;
``--flat`` for ``<split_dir>/<youtube_id>_...``). Labels: the 400 class names sorted,
0-based. Missing videos (expired YouTube links) are skipped and counted when
``--video-root`` is given; the exit status is then 1 (``--allow-missing``: 0). Writes ``kinetics400_{train,val}_list_videos.txt``.
"""
import argparse
import csv
import os
import os.path as osp
import sys


def build(ann_dir: str,
          out_dir: str,
          video_root: str = '',
          ext: str = 'mp4',
          flat: bool = False) -> list:
    splits = {'train': ('train.csv', 'train'), 'val': ('validate.csv', 'val')}
    rows = {}
    for split, (name, _) in splits.items():
        with open(osp.join(ann_dir, name), newline='') as f:
            rows[split] = list(csv.DictReader(f))
    classes = sorted({r['label'] for r in rows['train']})
    index = {c: i for i, c in enumerate(classes)}
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for split, (_, folder) in splits.items():
        lines, missing = [], 0
        for r in rows[split]:
            name = f"{r['youtube_id']}_{int(float(r['time_start'])):06d}_" \
                   f"{int(float(r['time_end'])):06d}.{ext}"
            rel = f'{folder}/{name}' if flat else f"{folder}/{r['label']}/{name}"
            if video_root and not osp.isfile(osp.join(video_root, rel)):
                missing += 1
                continue
            lines.append(f"{rel} {index[r['label']]}")
        out = osp.join(out_dir, f'kinetics400_{split}_list_videos.txt')
        with open(out, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        written.append((out, len(lines), missing))
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder with train.csv and validate.csv')
    parser.add_argument('--out-dir', default='data/kinetics400')
    parser.add_argument('--video-root', default='', help='skip videos missing here')
    parser.add_argument('--ext', default='mp4')
    parser.add_argument('--flat', action='store_true', help='no per-class folders')
    parser.add_argument(
        '--allow-missing',
        action='store_true',
        help='exit 0 although videos are missing (expired links)')
    args = parser.parse_args()
    written = build(args.ann_dir, args.out_dir, args.video_root, args.ext, args.flat)
    for path, n, missing in written:
        print(f'{path}: {n} videos ({missing} missing, skipped)')
    missing = sum(m for _, _, m in written)
    print(f'wrote {len(written)} lists, {sum(n for _, n, _ in written)} video lines, '
          f'{missing} videos missing')
    return 1 if missing and not args.allow_missing else 0


if __name__ == '__main__':
    sys.exit(main())
