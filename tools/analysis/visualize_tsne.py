"""t-SNE of backbone features coloured by class (seg_order_rate's Fig. 4), as a PNG.

    python tools/analysis/visualize_tsne.py PRETRAIN_CONFIG CKPT --ann-file LIST \
        --data-root ROOT [--out tsne.png] [--num-clips 10] [--perplexity 30]

Features: per-video mean of the pooled backbone features of ``--num-clips`` uniform clips
(as in retrieval). t-SNE is a small exact numpy implementation (binary search for each
point's bandwidth, early exaggeration, momentum gradient descent); no sklearn needed.
"""
import argparse
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def _cond_probs(d2: np.ndarray, perplexity: float, tol: float = 1e-5) -> np.ndarray:
    n = d2.shape[0]
    p = np.zeros((n, n))
    target = np.log(perplexity)
    for i in range(n):
        lo, hi, beta = 0.0, np.inf, 1.0
        di = np.delete(d2[i], i)
        for _ in range(50):
            w = np.exp(-(di - di.min()) * beta)
            s = w.sum()
            h = np.log(s) + beta * (di * w).sum() / s - beta * di.min()
            if abs(h - target) < tol:
                break
            if h > target:
                lo, beta = beta, beta * 2 if hi == np.inf else (beta + hi) / 2
            else:
                hi, beta = beta, (beta + lo) / 2
        p[i, np.arange(n) != i] = w / s
    return p


def tsne(x: np.ndarray,
         dims: int = 2,
         perplexity: float = 30.0,
         iters: int = 750,
         seed: int = 0) -> np.ndarray:
    """Exact t-SNE of ``x (N, D)`` -> ``(N, dims)``."""
    x = np.asarray(x, np.float64)
    n = x.shape[0]
    perplexity = min(perplexity, max(2.0, (n - 1) / 3))
    sq = (x**2).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None] - 2 * x @ x.T, 0)
    p = _cond_probs(d2, perplexity)
    p = np.maximum((p + p.T) / (2 * n), 1e-12)
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 1e-4, (n, dims))
    vel, gains = np.zeros_like(y), np.ones_like(y)
    for it in range(iters):
        pe = p * (12.0 if it < 100 else 1.0)
        sy = (y**2).sum(1)
        num = 1.0 / (1.0 + sy[:, None] + sy[None] - 2 * y @ y.T)
        np.fill_diagonal(num, 0)
        q = np.maximum(num / num.sum(), 1e-12)
        pq = (pe - q) * num
        grad = 4 * ((np.diag(pq.sum(1)) - pq) @ y)
        mom = 0.5 if it < 250 else 0.8
        gains = np.where(np.sign(grad) != np.sign(vel), gains + 0.2, gains * 0.8)
        gains = np.maximum(gains, 0.01)
        vel = mom * vel - 200.0 * gains * grad
        y = y + vel
        y = y - y.mean(0)
    return y


def plot(emb: np.ndarray, labels: np.ndarray, out: str, class_names=None, title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 6), dpi=120)
    classes = np.unique(labels)
    cmap = plt.get_cmap('tab20' if len(classes) > 10 else 'tab10')
    for i, c in enumerate(classes):
        m = labels == c
        name = class_names[c] if class_names is not None and c < len(class_names) \
            else str(c)
        ax.scatter(emb[m, 0], emb[m, 1], s=12, color=cmap(i % cmap.N), label=name)
    if len(classes) <= 20:
        ax.legend(fontsize=6, markerscale=1.5, loc='best')
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config (backbone, preprocessor)')
    parser.add_argument(
        'checkpoint', help="checkpoint or exported backbone; 'none' = "
        'random init')
    parser.add_argument('--ann-file', required=True, help='labelled list "path label"')
    parser.add_argument('--data-root', default='')
    parser.add_argument('--classes', default=None, help='optional file, one name a line')
    parser.add_argument('--out', default='tsne.png')
    parser.add_argument('--num-clips', type=int, default=10)
    parser.add_argument('--size', type=int, default=64, help='frame size (square resize)')
    parser.add_argument('--perplexity', type=float, default=30.0)
    args = parser.parse_args()

    import torch
    from mmengine.config import Config
    from mmengine.runner.checkpoint import load_checkpoint

    import vssl_mm  # noqa: F401
    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
    from eval_synthetic import _clip_setting, embed
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    model_cfg = dict(type='VideoFeatureExtractor', backbone=cfg.model.backbone)
    if 'data_preprocessor' in cfg.model:
        model_cfg['data_preprocessor'] = cfg.model.data_preprocessor
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    if args.checkpoint != 'none':
        load_checkpoint(model, args.checkpoint, map_location='cpu', strict=False, logger='silent')
    clip_len, interval = _clip_setting(cfg)
    feats, labels = embed(model, args.ann_file, args.data_root, clip_len, interval, args.num_clips,
                          args.size)
    emb = tsne(feats.mean(1).numpy(), perplexity=args.perplexity)
    names = None
    if args.classes:
        with open(args.classes) as f:
            names = [ln.strip() for ln in f if ln.strip()]
    plot(emb, labels.numpy(), args.out, names, osp.basename(args.checkpoint))
    print(f'wrote {args.out} ({len(labels)} videos)')


if __name__ == '__main__':
    main()
