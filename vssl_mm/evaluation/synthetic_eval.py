"""Backbone evaluation on the synthetic videos: retrieval R@1/R@5 and a linear probe.

One evaluator for every method (``tools/analysis/eval_synthetic.py`` and
``tools/analysis/learning_benchmark.py``): the backbone of a training config is put in a
:class:`VideoFeatureExtractor` (the config's pixel normalisation, nothing of the method's
heads), every video is embedded as ``num_clips`` uniform clips (frames resized to
``size x size``), and the last backbone stage is average-pooled per clip.

- retrieval: per-video mean features, val queries the train set by cosine similarity;
- linear probe: BN (no affine) + linear on the frozen clip features of the train videos
  (full batch, Adam, ``steps`` steps), val accuracy with softmax averaged over clips;
- ``recalibrate_bn``: BN running statistics recomputed on the train videos' eval clips
  first, so a trained and a random backbone normalise with statistics of the same source.
"""
import hashlib
import json
import os.path as osp
from typing import Dict, Iterable, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.runner.checkpoint import load_checkpoint

from vssl_mm.registry import DATASETS, MODELS
from .metrics import recall_at_k

# backbone keys that change how weights are loaded or returned, not the features
_NON_FUNCTIONAL_KEYS = ('pretrained', 'pretrained2d', 'return_tuple', 'init_cfg')
_DEFAULT_MEAN = (123.675, 116.28, 103.53)
_DEFAULT_STD = (58.395, 57.12, 57.375)


def clip_setting(cfg: Config) -> Tuple[int, int]:
    """``(clip_len, frame_interval)`` of the first train-pipeline step that has a
    ``clip_len`` (``cfg.clip_len`` and interval 2 when none has)."""
    for t in cfg.train_dataloader.dataset.get('pipeline', []):
        if 'clip_len' in t:
            return int(t['clip_len']), int(t.get('frame_interval', 1))
    return int(cfg.get('clip_len', 8)), 2


def eval_dataset(ann_file: str, root: str, clip_len: int, interval: int, num_clips: int, size: int):
    """The videos of ``ann_file`` as ``num_clips`` uniform clips, resized to ``size``."""
    pipeline = [
        dict(type='VideoOpen'),
        dict(
            type='UniformClipsSampler',
            clip_len=clip_len,
            frame_interval=interval,
            num_clips=num_clips),
        dict(type='MultiViewDecode'),
        dict(
            type='ViewsApply',
            transforms=[dict(type='Resize', scale=(size, size), keep_ratio=False)]),
        dict(type='PackMultiViewInputs', meta_keys=('filename', ))
    ]
    return DATASETS.build(
        dict(
            type='VideoSSLDataset',
            ann_file=ann_file,
            data_prefix=dict(video=root),
            pipeline=pipeline,
            test_mode=True))


def extractor_cfg(cfg: Config) -> dict:
    """``VideoFeatureExtractor`` config of ``cfg``'s backbone and pixel normalisation
    (mean/std of its data preprocessor, whatever its type; ImageNet's by default)."""
    dp = cfg.model.get('data_preprocessor', None) or {}
    return dict(
        type='VideoFeatureExtractor',
        backbone=cfg.model.backbone,
        data_preprocessor=dict(
            type='MultiViewDataPreprocessor',
            mean=list(dp.get('mean', _DEFAULT_MEAN)),
            std=list(dp.get('std', _DEFAULT_STD))))


def backbone_key(cfg: Config) -> str:
    """Short hash of the backbone's function (its config without load/return options,
    plus the normalisation): configs with equal keys share a random-init baseline."""
    ext = extractor_cfg(cfg)
    bb = {
        k: v
        for k, v in Config(dict(b=ext['backbone'])).to_dict()['b'].items()
        if k not in _NON_FUNCTIONAL_KEYS
    }
    blob = json.dumps(dict(backbone=bb, norm=ext['data_preprocessor']), sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:10]


def build_extractor(cfg: Config, checkpoint: Optional[str] = None, seed: int = 0):
    """The backbone of ``cfg`` initialised under ``seed``, then loaded from
    ``checkpoint`` (its ``backbone.*`` tensors; other keys are ignored)."""
    torch.manual_seed(seed)
    model = MODELS.build(extractor_cfg(cfg))
    model.init_weights()
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=False, logger='silent')
    return model


def _inputs(model, item):
    return model.data_preprocessor(
        dict(inputs=[item['inputs']], data_samples=[item['data_samples']]), False)['inputs']


@torch.no_grad()
def recalibrate_bn(model, ds, indices: Optional[Iterable[int]] = None) -> int:
    """Replace every BatchNorm's running statistics by their exact average over ``ds``
    (or its items ``indices``).

    Each video's clips form one batch; ``momentum=None`` makes the running statistics the
    cumulative mean over all batches (as "precise BN"). Returns the number of BN layers.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    if bns:
        model.train()
        for i in (range(len(ds)) if indices is None else indices):
            model.pooled_features(_inputs(model, ds[i]))
    model.eval()
    return len(bns)


@torch.no_grad()
def embed(model, ds) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(num_videos, num_clips, D)`` pooled clip features and ``(num_videos, )`` labels."""
    feats, labels = [], []
    model.eval()
    for i in range(len(ds)):
        item = ds[i]
        feats.append(model.pooled_features(_inputs(model, item))[0])  # (V, D)
        labels.append(int(item['data_samples'].gt_label))
    return torch.stack(feats), torch.tensor(labels)


def linear_probe(train_f: torch.Tensor,
                 train_l: torch.Tensor,
                 val_f: torch.Tensor,
                 val_l: torch.Tensor,
                 num_classes: int,
                 steps: int = 300,
                 seed: int = 0) -> float:
    """BN + linear on frozen clip features; val: softmax averaged over clips (top-1 %)."""
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


def evaluate_model(model,
                   train_ds,
                   val_ds,
                   recalibrate: bool = False,
                   bn_indices: Optional[Sequence[int]] = None,
                   probe_steps: int = 300) -> Dict[str, float]:
    """``r1``, ``r5``, ``probe_top1`` (%) and ``val_feature_checksum`` of one backbone."""
    if recalibrate:
        recalibrate_bn(model, train_ds, bn_indices)
    tr_f, tr_l = embed(model, train_ds)
    va_f, va_l = embed(model, val_ds)
    r = recall_at_k(va_f.mean(1), va_l, tr_f.mean(1), tr_l, topk=(1, 5))
    num_classes = int(max(tr_l.max(), va_l.max())) + 1
    acc = linear_probe(tr_f, tr_l, va_f, va_l, num_classes, steps=probe_steps)
    return dict(
        r1=r['R@1'],
        r5=r['R@5'],
        probe_top1=acc,
        val_feature_checksum=float(va_f.double().abs().sum()),
        num_train=len(tr_l),
        num_val=len(va_l))


class SyntheticEvaluator:
    """The same evaluation for every backbone: fixed clips, fixed BN-recalibration subset.

    Args:
        root: dataset folder with ``train.txt`` and ``val.txt``.
        clip_len, frame_interval, num_clips, size: the eval clips (shared by all).
        recalibrate_bn: recompute BN statistics on ``bn_videos`` train videos (evenly
            spaced over the list; all when ``None``) before embedding.
        probe_steps: Adam steps of the linear probe.
    """

    def __init__(self,
                 root: str,
                 clip_len: int = 8,
                 frame_interval: int = 2,
                 num_clips: int = 10,
                 size: int = 64,
                 recalibrate_bn: bool = True,
                 bn_videos: Optional[int] = 200,
                 probe_steps: int = 300) -> None:
        self.settings = dict(
            clip_len=clip_len,
            frame_interval=frame_interval,
            num_clips=num_clips,
            size=size,
            recalibrate_bn=recalibrate_bn,
            bn_videos=bn_videos,
            probe_steps=probe_steps)
        self.root = osp.abspath(root)
        self.train_ds, self.val_ds = (
            eval_dataset(
                osp.join(root, f'{split}.txt'), root, clip_len, frame_interval, num_clips, size)
            for split in ('train', 'val'))
        n = len(self.train_ds)
        if bn_videos is None or bn_videos >= n:
            self.bn_indices = list(range(n))
        else:
            self.bn_indices = sorted({int(i * n / bn_videos) for i in range(bn_videos)})

    def key(self) -> str:
        """Short hash of the settings and the dataset folder (cache key of results)."""
        blob = json.dumps(dict(self.settings, root=self.root), sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:8]

    def check_backbone(self, cfg: Config) -> None:
        """Raise ``ValueError`` naming the backbone and the clip shape when ``cfg``'s
        backbone cannot embed this evaluator's clips (e.g. C3D, whose pooling needs at
        least 16 frames, against 8-frame clips): before any training, not after it."""
        model = build_extractor(cfg)
        model.eval()
        s = self.settings
        x = torch.zeros(1, 3, s['clip_len'], s['size'], s['size'])
        try:
            with torch.no_grad():
                model.backbone(x)
        except RuntimeError as err:
            raise ValueError(
                f'{cfg.model.backbone.type} cannot embed the evaluation clips of '
                f'{s["clip_len"]} frames at {s["size"]}x{s["size"]} ({err}); set a longer or '
                'larger eval clip (eval.clip_len / eval.size in the protocol)') from err

    def evaluate(self,
                 cfg: Config,
                 checkpoint: Optional[str] = None,
                 seed: int = 0) -> Dict[str, float]:
        """Evaluate ``cfg``'s backbone from ``checkpoint`` (random init under ``seed``
        when ``None``)."""
        model = build_extractor(cfg, checkpoint, seed)
        return evaluate_model(model, self.train_ds, self.val_ds, self.settings['recalibrate_bn'],
                              self.bn_indices, self.settings['probe_steps'])
