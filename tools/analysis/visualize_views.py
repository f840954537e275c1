"""Draw what a method's training pipeline feeds the network for one video, as a PNG.

    python tools/analysis/visualize_views.py CONFIG [--video PATH] [--index 0] \
        [--seed 0] [--max-frames 8] --out views.png [--cfg-options KEY=VALUE ...]

One row per view (views packed under ``extra_view_keys``, e.g. ctrl_aug's global view,
first, then the ``inputs`` views). The first column is the decoded source frame of the
view (before spatial augmentation) with its crop box drawn; the other columns are frames
of the augmented clip, titled with their source frame index. Row labels give the frames,
crop box, flip and colour parameters recorded by the pipeline; the figure title gives
the sample's targets (segment order, sampling rates, intensity level, ...) found in the
metainfo. The config's ``collate_fn`` (e.g. ``ctrl_aug_collate``, which draws the
intensity level) is applied too, so the picture is exactly what the model receives.

``--video`` draws a video of your own (the config's ``data_prefix`` is ignored); by
default sample ``--index`` of the config's training set is drawn.
"""
import argparse
import copy
import os
import os.path as osp
import sys
import tempfile

import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

# metainfo keys that are drawn, not printed, or too long to print
_NOT_PRINTED = {
    'view_frame_inds', 'view_params', 'filename', 'frame_dir', 'img_shape', 'clip_features',
    'total_frames', 'clip_len', 'num_clips'
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Draw the views of one training sample')
    parser.add_argument('config')
    parser.add_argument('--video', help='a video file to draw instead of the dataset')
    parser.add_argument('--index', type=int, default=0, help='dataset sample to draw')
    parser.add_argument('--seed', type=int, default=0, help='augmentation seed')
    parser.add_argument('--max-frames', type=int, default=8, help='frames per view row')
    parser.add_argument('--out', default='views.png')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], help='KEY=VALUE overrides of the config')
    return parser.parse_args(argv)


def _short(value, limit: int = 70) -> str:
    if hasattr(value, 'tolist'):
        value = value.tolist()
    if isinstance(value, float):
        text = f'{value:.3g}'
    elif isinstance(value, (list, tuple)):
        text = '[' + ', '.join(_short(v, limit) for v in value) + ']'
    elif isinstance(value, dict):
        text = '{' + ', '.join(f'{k}: {_short(v, limit)}' for k, v in value.items()) + '}'
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _record_crop_inputs(pipeline, store: list) -> None:
    """Wrap every crop inside ``ViewsApply`` so the shape it was applied to is known
    (a crop box is in the coordinates of the image entering the crop)."""
    for t in pipeline.transforms:
        subs = getattr(getattr(t, 'pipeline', None), 'transforms', [])
        for st in subs:
            if 'crop' not in type(st).__name__.lower():
                continue
            orig = st.transform

            def wrapped(results, _orig=orig):
                store.append(tuple(int(s) for s in results['img_shape']))
                return _orig(results)

            st.transform = wrapped


def run_pipeline(cfg, video=None, index=0, seed=0):
    """Returns ``(inputs (V,C,T,H,W) uint8, extras {key: (V',C,T',H',W')}, metainfo,
    sources [(T,H,W,3) uint8], crop_inputs [(h, w)])``."""
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import FUNCTIONS

    from vssl_mm.datasets.video_dataset import seed_everything
    from vssl_mm.registry import DATASETS

    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    tmp = None
    if video is not None:
        tmp = tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False)
        tmp.write(osp.basename(video) + '\n')
        tmp.close()
        ds_cfg['ann_file'] = tmp.name
        ds_cfg['data_prefix'] = dict(video=osp.dirname(osp.abspath(video)))
        index = 0
    try:
        dataset = DATASETS.build(ds_cfg)
        dataset.full_init()
        crop_inputs: list = []
        _record_crop_inputs(dataset.pipeline, crop_inputs)
        seed_everything(seed)
        results = dataset.get_data_info(index)
        sources = None
        unpacked = {}
        for t in dataset.pipeline.transforms:
            if isinstance(results, dict) and 'views' in results:
                unpacked = {
                    k: results[k]
                    for k in ('view_params', 'view_frame_inds') if k in results
                }
            results = t(results)
            if results is None:
                raise RuntimeError(f'{type(t).__name__} returned None for sample {index} '
                                   '(too few frames for the sampler?)')
            if sources is None and 'views' in results:
                sources = [np.array(v, copy=True) for v in results['views']]
    finally:
        if tmp is not None:
            os.remove(tmp.name)
    collate = cfg.train_dataloader.get('collate_fn')
    if collate is not None:
        collate = dict(collate)
        fn = FUNCTIONS.get(collate.pop('type'))
        # a level-grouping collate (ctrl_aug_collate) takes whole groups of
        # samples_per_level: copies of the sample fill the group; the first is shown
        group = [
            copy.deepcopy(results) for _ in range(int(collate.get('samples_per_level', 1)) - 1)
        ]
        batch = fn([results] + group, **collate)
    else:
        batch = pseudo_collate([results])
    inputs = batch['inputs'][0]
    sample = batch['data_samples'][0]
    meta = dict(sample.metainfo)
    extras = {k: v for k, v in meta.items() if isinstance(v, torch.Tensor) and v.dim() == 5}
    for k in extras:
        meta.pop(k)
    for k, v in unpacked.items():  # drawn even when the config does not pack them
        meta.setdefault(k, v)
    return inputs, extras, meta, sources or [], crop_inputs


def _to_frames(clip) -> np.ndarray:
    """``(C, T, H, W)`` tensor (uint8 or float) -> ``(T, H, W, 3)`` uint8 for drawing."""
    x = clip.detach().cpu().numpy() if hasattr(clip, 'detach') else np.asarray(clip)
    x = np.moveaxis(x, 0, -1)
    if x.dtype != np.uint8:
        lo, hi = float(x.min()), float(x.max())
        x = ((x - lo) / max(hi - lo, 1e-6) * 255).astype(np.uint8)
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, -1)
    return x


def draw(inputs, extras, meta, sources, crop_inputs, out, title='', max_frames=8):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.patches as patches
    import matplotlib.pyplot as plt

    rows = []  # (name, (T,H,W,3) frames)
    for key, tensor in extras.items():
        rows += [(f'{key}[{i}]', _to_frames(c)) for i, c in enumerate(tensor)]
    rows += [(f'view {i}', _to_frames(c)) for i, c in enumerate(inputs)]
    n_extra = len(rows) - len(inputs)
    params = list(meta.get('view_params') or [])
    frame_inds = [np.asarray(f).ravel() for f in (meta.get('view_frame_inds') or [])]
    # source / parameter lists hold one entry per decoded view; when extra views were cut
    # from those (ctrl_aug: global first), they come first as in the rows
    offset = 0 if len(sources) == len(rows) or len(sources) != len(inputs) else n_extra

    cols = 1 + min(max_frames, max(r[1].shape[0] for r in rows))
    info = [f'{k}={_short(v, 110)}' for k, v in meta.items() if k not in _NOT_PRINTED]
    header_in = 0.45 + 0.16 * len(info)  # inches of title text
    row_in = 2.3
    height = header_in + row_in * len(rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(1.6 * cols, height), squeeze=False)
    fig.subplots_adjust(
        left=0.45 / (1.6 * cols),
        right=0.99,
        bottom=0.6 / height,
        top=1 - header_in / height,
        wspace=0.08,
        hspace=0.75)
    for r, (name, frames) in enumerate(rows):
        src_i = r - offset
        ax = axes[r, 0]
        label = [name]
        inds = frame_inds[src_i] if 0 <= src_i < len(frame_inds) else None
        if inds is not None and len(inds):
            label.append(f'frames {int(inds[0])}..{int(inds[-1])} ({len(inds)})')
        p = params[src_i] if 0 <= src_i < len(params) else {}
        if 0 <= src_i < len(sources):
            src = sources[src_i]
            ax.imshow(src[0])
            bbox = p.get('crop_bbox')
            if bbox is not None:
                x1, y1, x2, y2 = [float(b) for b in np.asarray(bbox).ravel()[:4]]
                known = src_i < len(crop_inputs)
                h_in, w_in = crop_inputs[src_i] if known else src.shape[1:3]
                sy, sx = src.shape[1] / h_in, src.shape[2] / w_in
                box = [int(b) for b in (x1, y1, x2, y2)]
                if known or (x2 <= w_in and y2 <= h_in):
                    ax.add_patch(
                        patches.Rectangle((x1 * sx, y1 * sy), (x2 - x1) * sx, (y2 - y1) * sy,
                                          fill=False,
                                          lw=1.5,
                                          edgecolor='yellow'))
                    label.append(f'crop {box}')
                else:  # a crop of a rescaled frame whose size is not recorded
                    label.append(f'crop {box} (of a rescaled frame)')
            ax.set_title('source', fontsize=7)
        else:
            ax.imshow(frames[0])
            ax.set_title('(no source)', fontsize=7)
        if p.get('flip'):
            label.append('flipped')
        for key in ('color_jitter', 'grayscale', 'channel_replication'):
            value = p.get(key)
            if value is None or (isinstance(value, bool) and not value):
                continue
            label.append(f'{key} {_short(value, 28)}')
        ax.set_xlabel('\n'.join(label), fontsize=6)
        t = frames.shape[0]
        picks = np.unique(np.linspace(0, t - 1, cols - 1).round().astype(int))
        for c in range(1, cols):
            ax = axes[r, c]
            if c - 1 < len(picks):
                k = picks[c - 1]
                ax.imshow(frames[k])
                src_k = (int(inds[k]) if inds is not None and len(inds) == t else k)
                ax.set_title(f't={k} (#{src_k})', fontsize=7)
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    header = f'{title}  inputs {tuple(inputs.shape)} (V, C, T, H, W)'
    fig.text(
        0.01,
        1 - 0.1 / height,
        '\n'.join([header] + info),
        fontsize=7,
        ha='left',
        va='top',
        family='monospace')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config, DictAction  # noqa: F401
    from mmengine.registry import init_default_scope

    import vssl_mm  # noqa: F401  (registers transforms, stack fixes)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        opts = {}
        for item in args.cfg_options:
            key, value = item.split('=', 1)
            opts[key] = DictAction._parse_iterable(value)
        cfg.merge_from_dict(opts)
    init_default_scope(cfg.get('default_scope', 'vssl_mm'))
    inputs, extras, meta, sources, crop_inputs = run_pipeline(cfg, args.video, args.index,
                                                              args.seed)
    draw(
        inputs,
        extras,
        meta,
        sources,
        crop_inputs,
        args.out,
        title=osp.relpath(args.config),
        max_frames=args.max_frames)
    print(f'wrote {args.out}: {len(extras)} extra key(s), {inputs.shape[0]} views')


if __name__ == '__main__':
    main()
