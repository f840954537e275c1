"""Nearest-neighbour clip retrieval (R@k), the common evaluation protocol's part (c).

Each video's feature is the mean of its clips' pooled backbone features (10 uniformly
sampled clips in the benchmark configs). Test videos (queries) search the train videos
(gallery) by cosine similarity; R@k is the share of queries with at least one of their
k nearest gallery videos of the same label.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vssl_mm.registry import METRICS


def recall_at_k(query: torch.Tensor,
                query_labels: torch.Tensor,
                gallery: Optional[torch.Tensor] = None,
                gallery_labels: Optional[torch.Tensor] = None,
                topk: Sequence[int] = (1, 5, 10, 20, 50),
                center: bool = False) -> Dict[str, float]:
    """R@k (in %) of ``query (Q, D)`` against ``gallery (G, D)`` by cosine similarity.

    Without a gallery, every query searches the other queries (leave-one-out; used by the
    kNN monitor). ``center`` subtracts the gallery mean from both sets before the L2
    normalisation. ``k`` larger than the gallery is clamped to it (the key keeps ``k``).
    """
    leave_one_out = gallery is None
    if leave_one_out:
        gallery, gallery_labels = query, query_labels
    query, gallery = query.float(), gallery.float()
    if center:
        mean = gallery.mean(0, keepdim=True)
        query, gallery = query - mean, gallery - mean
    sim = F.normalize(query, dim=1) @ F.normalize(gallery, dim=1).t()  # (Q, G)
    if leave_one_out:
        sim.fill_diagonal_(float('-inf'))
    num_gallery = gallery.shape[0] - (1 if leave_one_out else 0)
    if num_gallery < 1:
        raise ValueError('retrieval needs at least one gallery video')
    kmax = min(max(topk), num_gallery)
    nn_idx = sim.topk(kmax, dim=1).indices  # (Q, kmax), sorted by similarity
    hits = gallery_labels[nn_idx] == query_labels[:, None]  # (Q, kmax)
    out = {}
    for k in topk:
        kk = min(k, num_gallery)
        out[f'R@{k}'] = hits[:, :kk].any(1).double().mean().item() * 100
    return out


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Video retrieval R@k from the clip features ``(V, D)`` of each data sample.

    Features are read from the metainfo key ``clip_features`` (see
    :class:`~vssl_mm.models.VideoFeatureExtractor`) or ``features``.

    Clip features are averaged per video. A sample's role comes from its metainfo
    ``retrieval_split`` (``'query'`` or ``'gallery'``, see
    :class:`~vssl_mm.datasets.RetrievalVideoDataset`); if no sample is a gallery, the
    queries search each other (leave-one-out).
    Distributed: mmengine gathers ``self.results`` across ranks in dataset order and cuts
    the sampler's padding using the dataset size; duplicates of the same ``sample_idx``
    (when present in the metainfo) are also dropped as a second guard.

    Args:
        topk: values of k.
        center: subtract the gallery mean before L2 normalisation (cosine similarity
            always L2-normalises).
        collect_device, prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """
    default_prefix = 'retrieval'

    def __init__(self,
                 topk: Sequence[int] = (1, 5, 10, 20, 50),
                 center: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not topk or any(int(k) < 1 for k in topk):
            raise ValueError(f'topk must be positive integers, got {topk}')
        self.topk = tuple(int(k) for k in topk)
        self.center = center

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            meta = sample if isinstance(sample, dict) else sample.metainfo
            key = 'clip_features' if 'clip_features' in meta else 'features'
            if key not in meta:
                raise KeyError('RetrievalMetric needs "clip_features" or "features" in '
                               'each data sample (use a vssl_mm model whose predict() '
                               'attaches them, e.g. VideoFeatureExtractor)')
            feat = torch.as_tensor(meta[key]).detach().float().cpu()
            if feat.dim() == 2:  # (V, D): average the clips of the video
                feat = feat.mean(0)
            label = meta.get('gt_label', None)
            if label is None and not isinstance(sample, dict):
                label = sample.get('gt_label', None)
            if label is None:
                raise KeyError('RetrievalMetric needs labelled samples (gt_label)')
            self.results.append(
                dict(
                    feature=feat.numpy(),
                    label=int(torch.as_tensor(label).view(-1)[0]),
                    split=meta.get('retrieval_split', 'query'),
                    sample_idx=int(meta.get('sample_idx', -1))))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        seen, kept = set(), []
        for r in results:
            if r['sample_idx'] >= 0:
                if r['sample_idx'] in seen:
                    continue
                seen.add(r['sample_idx'])
            kept.append(r)
        query = [r for r in kept if r['split'] == 'query']
        gallery = [r for r in kept if r['split'] == 'gallery']
        if not query:
            raise ValueError('RetrievalMetric: no query sample among the results')

        def stack(rs):
            return (torch.from_numpy(np.stack([r['feature'] for r in rs])),
                    torch.tensor([r['label'] for r in rs]))

        q, ql = stack(query)
        g, gl = stack(gallery) if gallery else (None, None)
        print_log(
            f'retrieval: {len(query)} queries, '
            f'{len(gallery) if gallery else "leave-one-out"} gallery videos, '
            f'feature dim {q.shape[1]}',
            logger='current')
        return recall_at_k(q, ql, g, gl, self.topk, self.center)
