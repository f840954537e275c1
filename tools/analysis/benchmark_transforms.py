"""Per-transform cost of the colour, grey and packing steps against their references.

    python tools/analysis/benchmark_transforms.py [--clip 16x112x112] [--views 6]
        [--calls 50] [--json OUT]

Times, alternating call by call in one process (so load from other jobs hits both sides
alike), on a random uint8 clip of the given size:

- ``ClipColorJitter.apply`` (float32 reference) vs ``ClipColorJitter.apply_uint8``
  (the default backend), all four operations;
- ``FrameColorJitter`` with ``backend='float'`` vs ``backend='uint8'`` (own factors per
  frame);
- grey: float32 luma + round + repeat (the previous ``ClipGrayscale``) vs ``grey_rgb``;
- packing ``--views`` views: ``np.stack`` + ``ascontiguousarray(transpose)`` (the previous
  ``PackMultiViewInputs``) vs ``PackMultiViewInputs``.

Prints the median time of each side in ms and their ratio. Figures: docs/benchmarks_performance.md.
"""
import argparse
import json
import statistics
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch

import vssl_mm  # noqa: F401  (stack fixes before mmaction loads)
from vssl_mm.datasets.transforms import FrameColorJitter, PackMultiViewInputs
from vssl_mm.datasets.transforms.augment import ClipColorJitter, grey_rgb


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='colour / grey / pack transform timings')
    p.add_argument('--clip', default='16x112x112', help='TxHxW of the test clip')
    p.add_argument('--views', type=int, default=6, help='views packed per sample')
    p.add_argument('--calls', type=int, default=50, help='timed calls per side')
    p.add_argument('--json', default=None, help='write the figures here')
    return p.parse_args(argv)


def alternate(pairs: Dict[str, Tuple[Callable, Callable]], calls: int) -> Dict[str, Dict]:
    """Median ms of (reference, ours) per entry, the two called alternately."""
    out = {}
    for name, (reference, ours) in pairs.items():
        reference(), ours()  # warm-up
        times: List[List[float]] = [[], []]
        for _ in range(calls):
            for side, fn in enumerate((reference, ours)):
                t0 = time.perf_counter()
                fn()
                times[side].append(time.perf_counter() - t0)
        ref_ms, our_ms = (statistics.median(t) * 1000 for t in times)
        out[name] = dict(reference_ms=ref_ms, ours_ms=our_ms, ratio=our_ms / ref_ms)
    return out


def _old_grey(imgs: np.ndarray) -> np.ndarray:
    g = ClipColorJitter._grey(imgs.astype(np.float32)).round().clip(0, 255)
    return np.repeat(g.astype(np.uint8)[..., None], 3, axis=-1)


def _old_pack(views: List[np.ndarray]) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(np.stack(views).transpose(0, 4, 1, 2, 3)))


def main(argv=None) -> Dict:
    args = parse_args(argv)
    t, h, w = (int(v) for v in args.clip.split('x'))
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 256, (t, h, w, 3), dtype=np.uint8)
    views = [rng.integers(0, 256, (t, h, w, 3), dtype=np.uint8) for _ in range(args.views)]
    factors = dict(brightness=1.2, contrast=0.8, saturation=1.3, hue=0.05, order=(0, 1, 2, 3))
    frame_float, frame_uint8 = (FrameColorJitter(backend=b) for b in ('float', 'uint8'))
    pack = PackMultiViewInputs(meta_keys=())

    def frame_call(jitter):

        def call():
            np.random.seed(0)  # same draws on both sides
            return jitter.transform(dict(imgs=clip))

        return call

    pairs = {
        'ClipColorJitter (4 operations): float -> uint8':
        (lambda: ClipColorJitter.apply(clip, **factors),
         lambda: ClipColorJitter.apply_uint8(clip, **factors)),
        'FrameColorJitter (per frame): float -> uint8': (frame_call(frame_float),
                                                         frame_call(frame_uint8)),
        'grey: float32 luma + repeat -> grey_rgb':
        (lambda: _old_grey(clip), lambda: grey_rgb(clip)),
        f'pack {args.views} views: stack + transpose copy -> PackMultiViewInputs':
        (lambda: _old_pack(views), lambda: pack(dict(views=list(views)))),
    }
    report = dict(
        clip=[t, h, w],
        views=args.views,
        calls=args.calls,
        threads=torch.get_num_threads(),
        timings=alternate(pairs, args.calls))
    print(f'clip {t}x{h}x{w}, {args.calls} alternating calls per side, medians')
    for name, r in report['timings'].items():
        print(f'{name}: {r["reference_ms"]:.3f} ms -> {r["ours_ms"]:.3f} ms '
              f'(x{r["ratio"]:.2f})')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == '__main__':
    main()
