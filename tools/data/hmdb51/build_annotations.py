"""HMDB51 annotation lists (mmaction2 format) from the official split files.

    python tools/data/hmdb51/build_annotations.py data/hmdb51/testTrainMulti_7030_splits \
        --out-dir data/hmdb51 [--ext mp4]

The official files are ``<class>_test_split<k>.txt`` with lines ``video.avi ID`` where
ID 1 = train, 2 = test, 0 = unused. Labels are the 51 class names sorted (0-based), as in
mmaction2. Writes ``hmdb51_{train,val}_split_{k}_videos.txt`` with lines
``class/video.mp4 LABEL``.
"""
import argparse
import glob
import os
import os.path as osp
import re


def build(split_dir: str, out_dir: str, ext: str = 'mp4', splits=(1, 2, 3)) -> list:
    files = glob.glob(osp.join(split_dir, '*_test_split[0-9].txt'))
    pat = re.compile(r'^(.*)_test_split(\d)\.txt$')
    classes = sorted({pat.match(osp.basename(f)).group(1) for f in files})
    if not classes:
        raise FileNotFoundError(f'no <class>_test_split<k>.txt in {split_dir}')
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for k in splits:
        lists = {'train': [], 'val': []}
        for label, cls in enumerate(classes):
            path = osp.join(split_dir, f'{cls}_test_split{k}.txt')
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) != 2:
                        continue
                    video, tag = parts
                    if ext:
                        video = osp.splitext(video)[0] + '.' + ext
                    if tag == '1':
                        lists['train'].append(f'{cls}/{video} {label}')
                    elif tag == '2':
                        lists['val'].append(f'{cls}/{video} {label}')
        for split, lines in lists.items():
            out = osp.join(out_dir, f'hmdb51_{split}_split_{k}_videos.txt')
            with open(out, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            written.append((out, len(lines)))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('split_dir', help='folder with <class>_test_split<k>.txt files')
    parser.add_argument('--out-dir', default='data/hmdb51')
    parser.add_argument('--ext', default='mp4', help="video extension ('' keeps .avi)")
    args = parser.parse_args()
    written = build(args.split_dir, args.out_dir, args.ext)
    for path, n in written:
        print(f'{path}: {n} videos')
    print(f'wrote {len(written)} lists, {sum(n for _, n in written)} video lines')


if __name__ == '__main__':
    main()
