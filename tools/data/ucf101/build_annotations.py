"""UCF101 annotation lists (mmaction2 format) from the official ucfTrainTestlist.

    python tools/data/ucf101/build_annotations.py data/ucf101/ucfTrainTestlist \
        --out-dir data/ucf101 [--ext mp4]

Reads ``classInd.txt`` ("1 ApplyEyeMakeup"), ``trainlist0{1,2,3}.txt``
("ApplyEyeMakeup/v_..._g08_c01.avi 1") and ``testlist0{1,2,3}.txt`` (path only) and writes
``ucf101_{train,val}_split_{k}_videos.txt`` with lines ``Class/v_....mp4 LABEL`` (0-based
labels; the extension becomes ``--ext``, the output of tools/data/resize_videos.py).
"""
import argparse
import os
import os.path as osp


def build(split_dir: str, out_dir: str, ext: str = 'mp4', splits=(1, 2, 3)) -> list:
    classes = {}
    with open(osp.join(split_dir, 'classInd.txt')) as f:
        for line in f:
            if line.strip():
                idx, name = line.split()
                classes[name] = int(idx) - 1
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for k in splits:
        for src, dst in (('trainlist', 'train'), ('testlist', 'val')):
            lines = []
            with open(osp.join(split_dir, f'{src}0{k}.txt')) as f:
                for line in f:
                    if not line.strip():
                        continue
                    path = line.split()[0].replace('\\', '/')
                    cls = path.split('/')[0]
                    if cls not in classes:
                        raise ValueError(f'{src}0{k}.txt: class "{cls}" not in classInd.txt')
                    if ext:
                        path = osp.splitext(path)[0] + '.' + ext
                    lines.append(f'{path} {classes[cls]}')
            out = osp.join(out_dir, f'ucf101_{dst}_split_{k}_videos.txt')
            with open(out, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            written.append((out, len(lines)))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('split_dir', help='folder with classInd.txt, trainlist01.txt, ...')
    parser.add_argument('--out-dir', default='data/ucf101')
    parser.add_argument('--ext', default='mp4', help="video extension ('' keeps .avi)")
    args = parser.parse_args()
    written = build(args.split_dir, args.out_dir, args.ext)
    for path, n in written:
        print(f'{path}: {n} videos')
    print(f'wrote {len(written)} lists, {sum(n for _, n in written)} video lines')


if __name__ == '__main__':
    main()
