"""Samples/s and decode efficiency of a config's train pipeline vs mmaction2's.

    python tools/analysis/benchmark_pipeline.py CONFIG [--videos ANN_FILE]
        [--video-root DIR] [--samples N] [--baseline-interval config|matched|N]
        [--baseline-augs] [--json OUT]

In one process, on the same real mp4 files (``--videos``, or synthetic mp4 written to a
temp dir), alternating sample by sample:
- the config's training pipeline (VideoOpen -> method sampler -> MultiViewDecode -> views
  -> pack);
- mmaction2's standard single-clip pipeline: DecordInit, SampleFrames(clip_len,
  frame_interval, num_clips=1), DecordDecode, Resize(-1, short side), RandomCrop(size),
  with clip_len / frame_interval taken from the config's sampler when it has them and the
  crop size from the config's output views. ``--baseline-interval matched`` spreads
  that clip as densely as the method's views (frames spanned per needed frame), so both
  sides pay the codec for the same share of unreturned frames (decord decodes forward
  from a keyframe: views that lie apart cost the frames between them).

Per pipeline: samples/s, frames decoded per sample (counted at the decord reader: every
frame index asked of ``get_batch``/``__getitem__``), frames needed per sample (distinct
frame indices of all views: ``view_frame_inds``, or ``frame_inds`` for mmaction2), their
ratio, frames spanned (last - first needed index + 1) per needed frame, the time per
decoded frame, and the ratio of the two pipelines' time per decoded
frame. ``MultiViewDecode``'s own ``num_decoded_frames``/``num_needed_frames`` are printed
too. ``--json`` writes every figure and the per-sample counts.
"""
import argparse
import copy
import json
import os.path as osp
import statistics
import tempfile
import time
from typing import Dict, List

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.dataset import Compose

import vssl_mm  # noqa: F401  (stack fixes before mmaction.models loads)
from vssl_mm.utils import register_all_modules


class CountingReader:
    """Wraps a video reader (decord's or vssl_mm's); counts every frame index asked."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self.num_decoded = 0

    def get_batch(self, inds):
        inds = list(np.asarray(inds).reshape(-1))
        self.num_decoded += len(inds)
        return self._reader.get_batch(inds)

    def get_frames(self, inds):
        """vssl_mm's readers (``VideoOpen``): sorted distinct indices."""
        inds = np.asarray(inds).reshape(-1)
        self.num_decoded += len(inds)
        return self._reader.get_frames(inds)

    def __getitem__(self, idx):
        self.num_decoded += 1
        return self._reader[idx]

    def __len__(self) -> int:
        return len(self._reader)

    def __getattr__(self, name):
        return getattr(self._reader, name)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='pipeline samples/s and decode efficiency')
    p.add_argument('config')
    p.add_argument(
        '--videos',
        default=None,
        help='annotation file of real videos (default: synthetic mp4, tmp dir)')
    p.add_argument('--video-root', default=None, help='data prefix for --videos')
    p.add_argument('--samples', type=int, default=16, help='timed samples per pipeline')
    p.add_argument('--frames', type=int, default=160, help='frames per synthetic video')
    p.add_argument('--size', default='128x170', help='HxW of synthetic videos')
    p.add_argument('--json', default=None, help='write all figures here')
    p.add_argument(
        '--baseline-augs',
        action='store_true',
        help="like for like: every ViewsApply runs only mmaction2's "
        'Resize(-1, short) + RandomCrop(size), so the comparison measures '
        'sampling, decoding, view cutting and packing, not colour jitter')
    p.add_argument(
        '--baseline-interval',
        default='config',
        help="frame_interval of mmaction2's SampleFrames: 'config' (the config "
        "sampler's frame_interval, else 1), an integer, or 'matched' (the "
        "config pipeline's frames spanned per needed frame, rounded, "
        'measured on untimed samples): a clip spread over the video as '
        "densely as the method's views, so the codec decodes as many "
        'unreturned frames per returned frame on both sides')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


class Timed:
    """Wraps a transform and adds its wall time to ``acc[name]``."""

    def __init__(self, transform, name: str, acc: Dict) -> None:
        self.transform, self.name, self.acc = transform, name, acc

    def __call__(self, results):
        t0 = time.perf_counter()
        out = self.transform(results)
        self.acc[self.name] = self.acc.get(self.name, 0.0) + time.perf_counter() - t0
        return out


def time_inner_transforms(transforms: List, acc: Dict) -> None:
    """Time the transforms nested in ``ViewsApply`` (per-view pipelines) too."""
    for t in transforms:
        inner = getattr(getattr(t, 'pipeline', None), 'transforms', None)
        if inner is not None:
            for j, it in enumerate(inner):
                if not isinstance(it, Timed):
                    inner[j] = Timed(it, f'  {type(t).__name__}/{type(it).__name__}', acc)


def run_instrumented(transforms: List, results: Dict, reader_key: str, acc: Dict = None) -> Dict:
    """Run transforms one by one; wrap the reader once it appears; collect counts."""
    info = {}
    counter = None
    for t in transforms:
        t0 = time.perf_counter()
        results = t(results)
        if acc is not None:
            name = type(t).__name__
            acc[name] = acc.get(name, 0.0) + time.perf_counter() - t0
        if results is None:
            raise RuntimeError(f'{type(t).__name__} returned None')
        if counter is None and reader_key in results:
            counter = CountingReader(results[reader_key])
            results[reader_key] = counter
        if 'view_frame_inds' in results and 'needed' not in info:
            union = np.unique(
                np.concatenate([np.asarray(i).reshape(-1) for i in results['view_frame_inds']]))
            info['needed'] = int(len(union))
            info['spanned'] = int(union[-1] - union[0] + 1)
        if 'num_decoded_frames' in results and 'mvd_decoded' not in info:
            info['mvd_decoded'] = int(results['num_decoded_frames'])
            info['mvd_needed'] = int(results['num_needed_frames'])
        if 'frame_inds' in results and 'needed' not in info and 'imgs' in results:
            union = np.unique(results['frame_inds'])
            info['needed'] = int(len(union))
            info['spanned'] = int(union[-1] - union[0] + 1)
    info['decoded'] = counter.num_decoded if counter is not None else 0
    info['out'] = results
    return info


def _sampler_attr(pipeline: List[Dict], name: str, default):
    for t in pipeline:
        if 'Sampler' in t['type'] and name in t:
            return t[name]
    return default


def matched_interval(spanned_per_needed: float, clip_len: int) -> float:
    """Mean frame interval ``r`` at which a clip of ``clip_len`` frames spans as many
    frames per returned frame as the method: ``((L - 1) r + 1) / L = spanned/needed``."""
    return max(1.0, (clip_len * spanned_per_needed - 1) / (clip_len - 1))


def takes_ceil(i: int, frac: float) -> bool:
    """Bresenham schedule: sample ``i`` takes ``floor(r) + 1`` so that the running mean of
    the intervals stays within one sample of ``r = floor(r) + frac``."""
    return int((i + 1) * frac) > int(i * frac)


def _output_frames(packed: Dict) -> int:
    """Frames handed to the model: ``V * T`` of ``inputs`` ``(V, C, T, H, W)`` plus the
    views packed separately (5-dim tensors in the data sample's metainfo)."""
    x = packed['inputs']
    frames = int(x.shape[0] * x.shape[2])
    sample = packed.get('data_samples')
    if sample is not None:
        for value in sample.metainfo.values():
            if hasattr(value, 'dim') and value.dim() == 5:
                frames += int(value.shape[0] * value.shape[2])
    return frames


def _out_hw(packed: Dict):
    x = packed['inputs']
    return int(x.shape[-2]), int(x.shape[-1])


def main(argv=None) -> Dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    from vssl_mm.registry import DATASETS, TRANSFORMS

    tmp = tempfile.TemporaryDirectory()
    if args.videos is None:
        from vssl_mm.datasets import make_synthetic_dataset
        h, w = (int(s) for s in args.size.split('x'))
        data = make_synthetic_dataset(
            tmp.name,
            num_train_per_class=1,
            num_val_per_class=0,
            num_frames=args.frames,
            height=h,
            width=w,
            seed=0)
        ann, root = data['train'], data['root']
    else:
        ann = args.videos
        root = args.video_root or osp.dirname(osp.abspath(ann))

    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.ann_file = ann
    ds_cfg.data_prefix = dict(video=root)
    pipeline_cfg = ds_cfg.pipeline
    ds_cfg.pipeline = []
    dataset = DATASETS.build(ds_cfg)
    ours = Compose(pipeline_cfg).transforms

    # mmaction2's single-clip pipeline with the config's clip length / stride / size
    probe = run_instrumented(ours, dataset.get_data_info(0), 'video_reader')['out']
    crop_h, crop_w = _out_hw(probe)
    clip_len = int(_sampler_attr(pipeline_cfg, 'clip_len', 16))
    density = None  # the method's spanned/needed over untimed samples ('matched')
    if args.baseline_interval == 'config':
        interval = int(_sampler_attr(pipeline_cfg, 'frame_interval', 1))
    elif args.baseline_interval == 'matched':
        # a clip of L frames at interval r spans (L - 1) r + 1 frames: solve for the
        # method's spanned/needed, measured over 32 untimed samples
        spans = [
            run_instrumented(ours, dataset.get_data_info(i % len(dataset)), 'video_reader')
            for i in range(32)
        ]
        density = sum(s['spanned'] for s in spans) / sum(s['needed'] for s in spans)
        interval = matched_interval(density, clip_len)
    else:
        try:
            interval = int(args.baseline_interval)
        except ValueError:
            raise ValueError(f"--baseline-interval must be 'config', 'matched' or an "
                             f'integer, got {args.baseline_interval!r}') from None
        if interval < 1:
            raise ValueError(f'--baseline-interval must be >= 1, got {interval}')
    short = int(round(crop_h * 128 / 112))
    if args.baseline_augs:
        pipeline_cfg = copy.deepcopy(pipeline_cfg)
        for t in pipeline_cfg:
            if t['type'] == 'ViewsApply':
                t['transforms'] = [
                    dict(type='Resize', scale=(-1, short)),
                    dict(type='RandomCrop', size=crop_h)
                ]
        ours = Compose(pipeline_cfg).transforms
    # a fractional (matched) interval: samples alternate between floor and ceil so that
    # the mean interval is the matched one (Bresenham schedule, deterministic)
    lo, frac = int(interval), interval - int(interval)
    mm_cfg = [
        dict(type='mmaction.DecordInit'),
        dict(type='mmaction.SampleFrames', clip_len=clip_len, frame_interval=lo, num_clips=1),
        dict(type='mmaction.DecordDecode'),
        dict(type='mmaction.Resize', scale=(-1, short)),
        dict(type='mmaction.RandomCrop', size=crop_h),
        dict(type='mmaction.FormatShape', input_format='NCTHW'),
        dict(type='mmaction.PackActionInputs'),
    ]
    theirs_lo = [TRANSFORMS.build(t) for t in mm_cfg]
    theirs_hi = list(theirs_lo)
    theirs_hi[1] = TRANSFORMS.build(dict(mm_cfg[1], frame_interval=lo + 1))

    stats = {
        name:
        dict(
            times=[],
            decoded=[],
            needed=[],
            spanned=[],
            output=[],
            mvd_decoded=[],
            mvd_needed=[],
            per_transform={})
        for name in ('vssl_mm', 'mmaction2')
    }
    time_inner_transforms(ours, stats['vssl_mm']['per_transform'])
    n = len(dataset)
    for i in range(args.samples + 1):  # sample 0 of each is an untimed warm-up
        theirs = theirs_hi if takes_ceil(i, frac) else theirs_lo
        for name, transforms, key in (('vssl_mm', ours, 'video_reader'), ('mmaction2', theirs,
                                                                          'video_reader')):
            info_in = dataset.get_data_info(i % n)
            if name == 'mmaction2':
                info_in = dict(
                    filename=info_in['filename'], label=-1, start_index=0, modality='RGB')
            s = stats[name]
            if i == 0:
                run_instrumented(transforms, info_in, key)
                s['per_transform'].clear()
                continue
            t0 = time.perf_counter()
            info = run_instrumented(transforms, info_in, key, s['per_transform'])
            dt = time.perf_counter() - t0
            s['times'].append(dt)
            s['decoded'].append(info['decoded'])
            s['needed'].append(info.get('needed', 0))
            s['spanned'].append(info.get('spanned', 0))
            s['output'].append(_output_frames(info['out']))
            if 'mvd_decoded' in info:
                s['mvd_decoded'].append(info['mvd_decoded'])
                s['mvd_needed'].append(info['mvd_needed'])

    report = dict(
        config=args.config,
        videos=ann,
        samples=args.samples,
        baseline_augs=args.baseline_augs,
        baseline_interval=args.baseline_interval,
        matched_from_spanned_per_needed=density,
        mmaction2_pipeline=[t['type'] for t in mm_cfg],
        mmaction2_clip=dict(
            clip_len=clip_len, frame_interval=interval, short_side=short, crop=crop_h),
        output_hw=[crop_h, crop_w])
    print(f'config: {args.config}  videos: {ann}  timed samples: {args.samples}' +
          ("  (ViewsApply -> mmaction2's Resize + RandomCrop)" if args.baseline_augs else ''))
    print(f'mmaction2 single clip: clip_len={clip_len} frame_interval={interval:g}' +
          (f' (mean of {lo} and {lo + 1})' if frac else '') + ' '
          f'Resize(-1, {short}) RandomCrop({crop_h})')
    for name, s in stats.items():
        total = sum(s['times'])
        dec, need = sum(s['decoded']), sum(s['needed'])
        r = dict(
            samples_per_s=len(s['times']) / total,
            median_ms=statistics.median(s['times']) * 1000,
            decoded_per_sample=dec / len(s['times']),
            needed_per_sample=need / len(s['times']),
            decoded_over_needed=dec / need if need else float('nan'),
            spanned_per_needed=sum(s['spanned']) / need if need else float('nan'),
            output_frames_per_sample=sum(s['output']) / len(s['times']),
            ms_per_output_frame=total * 1000 / sum(s['output']),
            ms_per_decoded_frame=total * 1000 / dec if dec else float('nan'),
            per_sample_decoded=s['decoded'],
            per_sample_needed=s['needed'])
        if s['mvd_decoded']:
            r['multiviewdecode_decoded_per_sample'] = sum(s['mvd_decoded']) / len(s['mvd_decoded'])
            r['multiviewdecode_needed_per_sample'] = sum(s['mvd_needed']) / len(s['mvd_needed'])
        r['ms_per_sample_by_transform'] = {
            k: v * 1000 / len(s['times'])
            for k, v in s['per_transform'].items()
        }
        report[name] = r
        line = (f'{name}: {r["samples_per_s"]:.2f} samples/s (median '
                f'{r["median_ms"]:.1f} ms/sample), decoded/sample '
                f'{r["decoded_per_sample"]:.2f}, needed/sample {r["needed_per_sample"]:.2f}, '
                f'decoded/needed {r["decoded_over_needed"]:.3f}, spanned/needed '
                f'{r["spanned_per_needed"]:.2f}, '
                f'{r["ms_per_decoded_frame"]:.3f} ms per decoded frame, output frames/sample '
                f'{r["output_frames_per_sample"]:.1f}, {r["ms_per_output_frame"]:.3f} ms per '
                'output frame')
        if 'multiviewdecode_decoded_per_sample' in r:
            line += (f' (MultiViewDecode: num_decoded_frames '
                     f'{r["multiviewdecode_decoded_per_sample"]:.2f}, num_needed_frames '
                     f'{r["multiviewdecode_needed_per_sample"]:.2f})')
        print(line)
        print('  ms/sample by transform: ' +
              ', '.join(f'{k.strip()} {v:.1f}' for k, v in r['ms_per_sample_by_transform'].items()))
    ratio = (
        report['vssl_mm']['ms_per_decoded_frame'] / report['mmaction2']['ms_per_decoded_frame'])
    report['time_per_decoded_frame_ratio'] = ratio
    # the same from the median sample times (robust to samples slowed by other jobs)
    med = [
        report[k]['median_ms'] / report[k]['decoded_per_sample'] for k in ('vssl_mm', 'mmaction2')
    ]
    report['time_per_decoded_frame_ratio_median'] = med[0] / med[1]
    print(f'time per decoded frame, vssl_mm / mmaction2: {ratio:.3f} (from median sample '
          f'times: {med[0] / med[1]:.3f})')
    out_ratio = (
        report['vssl_mm']['ms_per_output_frame'] / report['mmaction2']['ms_per_output_frame'])
    report['time_per_output_frame_ratio'] = out_ratio
    print(f'time per output frame (frames handed to the model), vssl_mm / mmaction2: '
          f'{out_ratio:.3f}')
    print(f'samples/s ratio, vssl_mm / mmaction2: '
          f'{report["vssl_mm"]["samples_per_s"] / report["mmaction2"]["samples_per_s"]:.3f}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    tmp.cleanup()
    return report


if __name__ == '__main__':
    main()
