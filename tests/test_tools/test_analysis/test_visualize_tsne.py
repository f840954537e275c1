"""The numpy t-SNE of tools/analysis/visualize_tsne.py."""

import importlib.util
import os.path as osp

import numpy as np

from tests.conftest import REPO as ROOT


def test_numpy_tsne_separates_clusters(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'visualize_tsne', osp.join(ROOT, 'tools/analysis/visualize_tsne.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 10, (3, 20))
    labels = np.repeat(np.arange(3), 15)
    x = centers[labels] + rng.normal(0, 1, (45, 20))
    emb = mod.tsne(x, perplexity=10, iters=400)
    assert emb.shape == (45, 2) and np.isfinite(emb).all()
    d = ((emb[:, None] - emb[None])**2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert (labels[d.argmin(1)] == labels).mean() == 1.0  # 1-NN in 2-D keeps classes
    out = str(tmp_path / 'tsne.png')
    mod.plot(emb, labels, out, ['a', 'b', 'c'])
    assert open(out, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
