"""Pretrained vs random-init backbone on the synthetic val split: retrieval and probe.

    python tools/analysis/eval_synthetic.py PRETRAIN_CONFIG CKPT [--data-root DIR]
        [--random-seeds 0 1 2]

For the backbone of PRETRAIN_CONFIG loaded from CKPT and the same backbone at random init
(seed 0), it embeds 10 uniform clips of every train and val video (the pretraining's
clip length and interval, frames resized to 64x64), then prints
- retrieval R@1 / R@5: per-video mean features, val queries the train set by cosine
  similarity (the common protocol, as RetrievalMetric computes it);
- linear-probe top-1: a BN + linear classifier (no affine BN, as BNLinearHead) trained on
  the frozen clip features of the train videos (full batch, Adam, 300 steps, no
  augmentation: features are cached), tested on val videos with softmax averaged over
  the 10 clips.
With ``--random-seeds S1 S2 ...`` the random-init row is repeated for each init seed and
their mean is added: with 32 val queries one query is 3.1 points of R@1 and the random
init alone moves by several queries from seed to seed, so compare against that spread.
With ``--recalibrate-bn`` every backbone's BatchNorm running statistics are recomputed
on the train videos' eval clips first: by default the pretrained backbone normalises with
the statistics its training left behind and the random init with the initial ones
(mean 0, variance 1), which is a different function even for the same weights.
"""
import argparse
import json
import os.path as osp
import sys

import torch
import torch.nn as nn

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.config import Config  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.runner.checkpoint import load_checkpoint  # noqa: E402

import vssl_mm  # noqa: E402,F401
from vssl_mm.evaluation import recall_at_k  # noqa: E402
from vssl_mm.registry import DATASETS, MODELS  # noqa: E402
from vssl_mm.utils import register_all_modules  # noqa: E402


def _clip_setting(cfg):
    for t in cfg.train_dataloader.dataset.get('pipeline', []):
        if 'clip_len' in t:
            return int(t['clip_len']), int(t.get('frame_interval', 1))
    return int(cfg.get('clip_len', 8)), 2


def _eval_dataset(ann_file, root, clip_len, interval, num_clips, size):
    pipeline = [
        dict(type='VideoOpen'),
        dict(type='UniformClipsSampler', clip_len=clip_len, frame_interval=interval,
             num_clips=num_clips),
        dict(type='MultiViewDecode'),
        dict(type='ViewsApply', transforms=[
            dict(type='Resize', scale=(size, size), keep_ratio=False)]),
        dict(type='PackMultiViewInputs', meta_keys=('filename', ))
    ]
    return DATASETS.build(dict(type='VideoSSLDataset', ann_file=ann_file,
                               data_prefix=dict(video=root), pipeline=pipeline,
                               test_mode=True))


def _inputs(model, item):
    return model.data_preprocessor(dict(inputs=[item['inputs']],
                                        data_samples=[item['data_samples']]),
                                   False)['inputs']


@torch.no_grad()
def recalibrate_bn(model, ds) -> int:
    """Replace every BatchNorm's running statistics by their exact average over ``ds``.

    Each video's clips form one batch; ``momentum=None`` makes the running statistics the
    cumulative mean over all batches (as "precise BN"). Returns the number of BN layers.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    if bns:
        model.train()
        for i in range(len(ds)):
            model.pooled_features(_inputs(model, ds[i]))
    model.eval()
    return len(bns)


@torch.no_grad()
def embed(model, ds):
    """``(num_videos, num_clips, D)`` pooled clip features and ``(num_videos, )`` labels."""
    feats, labels = [], []
    model.eval()
    for i in range(len(ds)):
        item = ds[i]
        feats.append(model.pooled_features(_inputs(model, item))[0])  # (V, D)
        labels.append(int(item['data_samples'].gt_label))
    return torch.stack(feats), torch.tensor(labels)


def linear_probe(train_f, train_l, val_f, val_l, num_classes, steps=300, seed=0):
    """BN + linear on frozen clip features; val: softmax averaged over clips."""
    torch.manual_seed(seed)
    n, v, d = train_f.shape
    x, y = train_f.reshape(n * v, d), train_l.repeat_interleave(v)
    head = nn.Sequential(nn.BatchNorm1d(d, affine=False), nn.Linear(d, num_classes))
    opt = torch.optim.Adam(head.parameters(), lr=1e-2, weight_decay=1e-4)
    head.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(head(x), y)
        loss.backward()
        opt.step()
    head.eval()
    with torch.no_grad():
        prob = head(val_f.reshape(-1, d)).softmax(-1).view(val_f.shape[0], v, -1).mean(1)
    return (prob.argmax(1) == val_l).double().mean().item() * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config (e.g. configs/simclr/'
                        'r3d18_synthetic.py)')
    parser.add_argument('checkpoint', help='its checkpoint (or an exported backbone)')
    parser.add_argument('--data-root', default=None, help='defaults to cfg.data_root')
    parser.add_argument('--num-clips', type=int, default=10)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--random-seeds', type=int, nargs='+', default=[0],
                        help='init seeds of the random-init rows (mean added if several)')
    parser.add_argument('--recalibrate-bn', action='store_true',
                        help='for every backbone, pretrained and random, replace the BN '
                        'running statistics by their average over the train videos\' eval '
                        'clips before embedding (same statistics source on both sides)')
    parser.add_argument('--json', default=None, help='also write the rows (and a checksum '
                        'of each backbone\'s val features) to this file')
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    register_all_modules(init_default_scope=True)
    # a current logger at WARNING keeps init_weights' per-parameter report off stdout
    MMLogger.get_instance('eval_synthetic', log_level='WARNING')
    cfg = Config.fromfile(args.config)
    root = args.data_root or cfg.get('data_root', 'data/synthetic')
    clip_len, interval = _clip_setting(cfg)
    model_cfg = dict(type='VideoFeatureExtractor', backbone=cfg.model.backbone)
    if 'data_preprocessor' in cfg.model:
        model_cfg['data_preprocessor'] = cfg.model.data_preprocessor
    train_ds, val_ds = (_eval_dataset(osp.join(root, f'{split}.txt'), root, clip_len,
                                      interval, args.num_clips, args.size)
                        for split in ('train', 'val'))
    rows, checksums = [], {}
    runs = [('pretrained', 0)] + [('random init' if len(args.random_seeds) == 1 else
                                   f'random s{seed}', seed) for seed in args.random_seeds]
    for name, seed in runs:
        torch.manual_seed(seed)
        model = MODELS.build(model_cfg)
        model.init_weights()
        if name == 'pretrained':
            load_checkpoint(model, args.checkpoint, map_location='cpu', strict=False,
                            logger='silent')
        if args.recalibrate_bn:
            recalibrate_bn(model, train_ds)
        tr_f, tr_l = embed(model, train_ds)
        va_f, va_l = embed(model, val_ds)
        r = recall_at_k(va_f.mean(1), va_l, tr_f.mean(1), tr_l, topk=(1, 5))
        num_classes = int(max(tr_l.max(), va_l.max())) + 1
        acc = linear_probe(tr_f, tr_l, va_f, va_l, num_classes)
        rows.append((name, r['R@1'], r['R@5'], acc))
        checksums[name] = float(va_f.double().abs().sum())
    if len(args.random_seeds) > 1:
        rand = rows[1:]
        rows.append(('random mean', *(sum(r[i] for r in rand) / len(rand)
                                      for i in (1, 2, 3))))
    print(f'\nSynthetic val split ({len(va_l)} videos, gallery/probe train: {len(tr_l)} '
          f'videos, {args.num_clips} clips of {clip_len}x{interval} frames per video'
          f'{"; BN statistics recalibrated on the train clips" if args.recalibrate_bn else ""})')
    print('| backbone    | retrieval R@1 | retrieval R@5 | linear-probe top-1 |')
    print('|-------------|---------------|---------------|--------------------|')
    for name, r1, r5, acc in rows:
        print(f'| {name:<11} | {r1:13.1f} | {r5:13.1f} | {acc:18.1f} |')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump([dict(backbone=name, r1=r1, r5=r5, probe_top1=acc,
                            val_feature_checksum=checksums.get(name))
                       for name, r1, r5, acc in rows], f, indent=1)


if __name__ == '__main__':
    main()
