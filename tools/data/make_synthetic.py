"""Write the built-in synthetic video dataset (real mp4 files + mmaction2 lists).

Example:
    python tools/data/make_synthetic.py --out data/synthetic
"""
import argparse

from vssl_mm.datasets.synthetic import CLASSES, STYLES, make_synthetic_dataset


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default='data/synthetic', help='output folder')
    p.add_argument('--train-per-class', type=int, default=12)
    p.add_argument('--val-per-class', type=int, default=4)
    p.add_argument('--frames', type=int, default=64, help='frames per video')
    p.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=[128, 128],
        metavar=('H', 'W'),
        help='frame height and width')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument(
        '--style',
        default='motion',
        choices=STYLES,
        help="'motion': a shape moving over random backgrounds, wrap-around (hard); "
        "'camera': camera motion over a shared texture pool, one speed per "
        "class (pretext tasks well posed on a CPU budget); 'motion_bright': "
        "'motion' with bright shapes over a dark background (one contrast polarity)")
    p.add_argument('--num-textures', type=int, default=4, help="texture pool of the 'camera' style")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    out = make_synthetic_dataset(
        args.out,
        args.train_per_class,
        args.val_per_class,
        args.frames,
        args.size[0],
        args.size[1],
        args.seed,
        style=args.style,
        num_textures=args.num_textures)
    n_train = args.train_per_class * len(CLASSES)
    n_val = args.val_per_class * len(CLASSES)
    print(f'Wrote {n_train} train and {n_val} val {args.style} videos ({len(CLASSES)} classes, '
          f'{args.frames} frames, {args.size[0]}x{args.size[1]}) to {args.out}: '
          f'{out["train"]}, {out["val"]}')


if __name__ == '__main__':
    main()
