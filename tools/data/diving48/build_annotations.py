"""Diving-48 annotation lists (mmaction2 format) from the official JSON files.

    python tools/data/diving48/build_annotations.py data/diving48/annotations \
        --out-dir data/diving48 [--version v1]

V1 files: ``Diving48_train.json`` / ``Diving48_test.json``; V2: ``Diving48_V2_train.json``
/ ``Diving48_V2_test.json``. Each is a list of ``{"vid_name": ..., "label": int,
"start_frame": ..., "end_frame": ...}``. Writes ``diving48_<version>_{train,test}_videos.txt``
with lines ``<vid_name>.mp4 LABEL`` (Ctrl-Aug reports V1).
"""
import argparse
import json
import os
import os.path as osp

FILES = {
    'v1': ('Diving48_train.json', 'Diving48_test.json'),
    'v2': ('Diving48_V2_train.json', 'Diving48_V2_test.json')
}


def build(ann_dir: str, out_dir: str, version: str = 'v1', ext: str = 'mp4') -> list:
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for split, name in zip(('train', 'test'), FILES[version]):
        with open(osp.join(ann_dir, name)) as f:
            items = json.load(f)
        lines = [f"{it['vid_name']}.{ext} {int(it['label'])}" for it in items]
        out = osp.join(out_dir, f'diving48_{version}_{split}_videos.txt')
        with open(out, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        written.append((out, len(lines)))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder with the official Diving48 json files')
    parser.add_argument('--out-dir', default='data/diving48')
    parser.add_argument('--version', choices=list(FILES), default='v1')
    parser.add_argument('--ext', default='mp4')
    args = parser.parse_args()
    written = build(args.ann_dir, args.out_dir, args.version, args.ext)
    for path, n in written:
        print(f'{path}: {n} videos')
    print(f'wrote {len(written)} lists, {sum(n for _, n in written)} video lines')


if __name__ == '__main__':
    main()
