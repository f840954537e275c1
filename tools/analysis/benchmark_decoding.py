"""Frame exactness and time per needed frame of each decoding backend, on real videos.

    python tools/analysis/benchmark_decoding.py VIDEO [VIDEO ...] [--backends auto pyav
        decord] [--configs CONFIG ...] [--samples N] [--seed S] [--json OUT]

For every video, the reference is an in-order decode with OpenCV (its own FFmpeg build,
independent of decord and PyAV). For every backend and every sampler (random clips and
uniform clips as the inference pipeline draws them, plus the training sampler of each
``--configs`` file, by default one config per method), ``--samples`` draws go through
``VideoOpen(backend) -> sampler -> MultiViewDecode``, exactly as in training, and every
delivered frame is compared with the reference frame at the index the sampler asked for
(mean absolute difference below 1 grey level). Each sample opens the file afresh, as a
dataloader worker does; the time per needed frame is the time of open + decode divided
by the distinct frames the sample needs.

Prints one markdown table (rows: video x backend) and writes every figure to ``--json``.
"""
import argparse
import json
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose

import vssl_mm  # noqa: F401  (stack fixes before mmaction.models loads)
from vssl_mm.datasets.decoding import decode_all_opencv, probe_stream
from vssl_mm.utils import register_all_modules

DEFAULT_CONFIGS = ('configs/simclr/r3d18_ucf.py', 'configs/seg_order_rate/r21d_ucf.py',
                   'configs/hdc/r3d18_k400.py', 'configs/mlrep/r3d18_k400.py',
                   'configs/ctrl_aug/r3d18_ucf.py')
GENERIC_SAMPLERS = {
    'random_clips': dict(type='RandomClipsSampler', clip_len=16, frame_interval=2, num_views=2),
    'uniform_clips': dict(type='UniformClipsSampler', clip_len=16, frame_interval=1, num_clips=10),
}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Frame exactness and speed of decoding '
                                'backends against an in-order OpenCV decode')
    p.add_argument('videos', nargs='+', help='video files')
    p.add_argument('--backends', nargs='+', default=['auto', 'pyav', 'decord'])
    p.add_argument(
        '--configs',
        nargs='*',
        default=list(DEFAULT_CONFIGS),
        help="configs whose training sampler is checked (the entry after "
        "VideoOpen in train_dataloader's pipeline)")
    p.add_argument('--samples', type=int, default=4, help='draws per sampler and video')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--json', help='write every figure here')
    return p.parse_args(argv)


def config_samplers(configs: Sequence[str]) -> Dict[str, dict]:
    """``{method/config name: sampler cfg}`` from each config's training pipeline."""
    out = {}
    for path in configs:
        pipeline = Config.fromfile(path).train_dataloader.dataset.pipeline
        types = [t['type'] for t in pipeline]
        if 'VideoOpen' not in types:
            raise ValueError(f'{path}: its training pipeline has no VideoOpen')
        sampler = pipeline[types.index('VideoOpen') + 1]
        name = f'{osp.basename(osp.dirname(path))}/{osp.splitext(osp.basename(path))[0]}'
        out[name] = sampler.to_dict() if hasattr(sampler, 'to_dict') else dict(sampler)
    return out


def check_video(path: str,
                samplers: Dict[str, dict],
                backends: Sequence[str],
                samples: int = 4,
                seed: int = 0,
                reference: Optional[np.ndarray] = None) -> List[dict]:
    """One row per backend: frames right / asked (per sampler and in all) and timings."""
    ref = decode_all_opencv(path) if reference is None else reference
    rows = []
    for backend in backends:
        row = dict(
            video=osp.basename(path),
            backend=backend,
            right=0,
            asked=0,
            seconds=0.0,
            needed=0,
            per_sampler={},
            errors=[])
        for name, sampler in samplers.items():
            pipeline = Compose([
                dict(type='VideoOpen', backend=backend),
                dict(sampler),
                dict(type='MultiViewDecode')
            ])
            right = asked = 0
            for i in range(samples):
                np.random.seed(seed + i)  # samplers draw from numpy's global RNG
                t0 = time.perf_counter()
                try:
                    out = pipeline(dict(filename=path, start_index=0, label=-1))
                except Exception as e:  # a read that fails is reported, not fatal
                    row['errors'].append(f'{name}: {str(e)[:200]}')
                    continue
                row['seconds'] += time.perf_counter() - t0
                row['needed'] += out['num_needed_frames']
                for view, inds in zip(out['views'], out['view_frame_inds']):
                    inds = np.asarray(inds)
                    valid = inds < len(ref)
                    diff = np.abs(view[valid].astype(np.int16) -
                                  ref[inds[valid]]).mean(axis=(1, 2, 3))
                    right += int((diff < 1.0).sum())
                    asked += len(inds)
                row['decode_backend'] = out.get('decode_backend', backend)
            row['per_sampler'][name] = f'{right}/{asked}'
            row['right'] += right
            row['asked'] += asked
        row['ms_per_needed_frame'] = 1000 * row['seconds'] / max(row['needed'], 1)
        rows.append(row)
    return rows


def main(argv: Optional[Sequence[str]] = None) -> List[dict]:
    args = parse_args(argv)
    register_all_modules()
    samplers = dict(GENERIC_SAMPLERS)
    samplers.update(config_samplers(args.configs))
    rows = []
    print('| video | codec | reordered | auto reads with | backend | frames right | '
          'ms per needed frame |')
    print('|---|---|---|---|---|---|---|')
    for path in args.videos:
        info = probe_stream(path)
        ref = decode_all_opencv(path)
        for row in check_video(path, samplers, args.backends, args.samples, args.seed, ref):
            row.update(
                codec=info.codec,
                reordered=info.reordered,
                auto_reads_with=info.backend_for('auto') +
                (f' ({info.pyav_mode})' if info.backend_for() == 'pyav' else ''))
            rows.append(row)
            print(f"| {row['video']} | {row['codec']} | {row['reordered']} | "
                  f"{row['auto_reads_with']} | {row['backend']} | "
                  f"{row['right']}/{row['asked']} | {row['ms_per_needed_frame']:.2f} |")
            for err in row['errors'][:3]:
                print(f'  error: {err}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == '__main__':
    main()
