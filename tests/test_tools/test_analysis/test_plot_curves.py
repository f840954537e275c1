"""tools/analysis/plot_curves.py helpers against hand-made records."""
import json
import os.path as osp
import sys

import numpy as np
import pytest

from tests.conftest import REPO

sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
import plot_curves  # noqa: E402


def _records():
    return [
        dict(lr=0.1, loss=3.0, loss_a=1.0, loss_b=2.0, acc_a=0.5, epoch=1, iter=1, step=1),
        dict(lr=0.1, loss=2.0, loss_a=0.5, loss_b=1.5, epoch=1, iter=2, step=2),
        dict(acc_top1=0.3, step=None),  # a validation record: no training step
        dict(lr=0.1, loss=1.0, loss_a=0.25, loss_b=0.75, acc_a=0.75, epoch=2, iter=3, step=3),
    ]


def test_select_curves_by_pattern():
    curves = plot_curves.select_curves(_records(), ['loss_*', 'acc_a'])
    assert list(curves) == ['loss_a', 'loss_b', 'acc_a']
    np.testing.assert_array_equal(curves['loss_a'][0], [1, 2, 3])
    np.testing.assert_array_equal(curves['loss_b'][1], [2.0, 1.5, 0.75])
    np.testing.assert_array_equal(curves['acc_a'][0], [1, 3])  # missing at step 2
    assert set(plot_curves.select_curves(_records())) == {'loss', 'loss_a', 'loss_b'}


def test_smooth_matches_loop():
    rng = np.random.default_rng(0)
    v = rng.normal(size=17)
    for w in (1, 2, 5, 30):
        ref = np.array([v[max(0, i - w + 1):i + 1].mean() for i in range(len(v))])
        np.testing.assert_allclose(plot_curves.smooth(v, w), ref, rtol=1e-12)


def test_find_newest_run(tmp_path):
    for stamp in ('20240101_000000', '20240102_000000'):
        d = tmp_path / stamp / 'vis_data'
        d.mkdir(parents=True)
        (d / 'scalars.json').write_text(json.dumps(dict(loss=1.0, step=1)) + '\n')
    found = plot_curves.find_scalars(str(tmp_path))
    assert '20240102_000000' in found
    assert plot_curves.find_scalars(str(tmp_path / '20240101_000000')).endswith(
        osp.join('20240101_000000', 'vis_data', 'scalars.json'))
    with pytest.raises(FileNotFoundError):
        plot_curves.find_scalars(str(tmp_path / 'none'))


def test_plot_writes_png(tmp_path):
    import matplotlib.image as mpimg
    out = str(tmp_path / 'c.png')
    plot_curves.plot(plot_curves.select_curves(_records()), out, window=2, single=True)
    assert mpimg.imread(out).shape[2] in (3, 4)
    with pytest.raises(ValueError):
        plot_curves.plot({}, out)
