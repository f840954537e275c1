"""mlrep sampler: window / rate / clip invariants; frames decoded once; per-frame colour."""
import numpy as np
import pytest

from vssl_mm.datasets.transforms import (FrameColorJitter, FrameGrayscale, MultiLevelWindowSampler,
                                         MultiViewDecode, VideoOpen)


@pytest.mark.parametrize('total', [32, 33, 50, 96, 97, 200, 1000])
def test_window_invariants_many_seeds(total):
    s = MultiLevelWindowSampler(window_len=32, max_rate=3.0)
    rates = []
    for seed in range(300):
        np.random.seed(seed)
        r = s.transform(dict(total_frames=total))
        win, rate = r['window_inds'], r['sample_rate']
        rates.append(rate)
        assert 1.0 <= rate <= min(3.0, total / 32) + 1e-9
        assert win.shape == (32, ) and win.min() >= 0 and win.max() < total
        assert (np.diff(win) >= 1).all()  # strictly increasing
        assert np.all(np.abs(np.diff(win) - rate) < 1.0 + 1e-9)  # steps of ~rate
        v0, v1, g = r['view_frame_inds']
        np.testing.assert_array_equal(v0, win[:16])  # clip 0 = window frames 0-15
        np.testing.assert_array_equal(v1, win[16:])  # clip 1 = frames 16-31 (adjacent)
        np.testing.assert_array_equal(g, win[::2])  # global = every 2nd frame
        assert len(v0) == len(v1) == len(g) == r['clip_len'] == 16
    rates = np.array(rates)
    if total >= 96:  # the rate is continuous over the whole range
        assert rates.min() < 1.2 and rates.max() > 2.8
        assert len(np.unique(rates)) == len(rates)
    if total == 32:
        assert (rates == 1.0).all()


def test_short_video_skip_or_loop():
    with pytest.raises(ValueError, match='fewer than the window'):
        MultiLevelWindowSampler(window_len=32).transform(dict(total_frames=20))
    r = MultiLevelWindowSampler(window_len=32, short_video='loop').transform(dict(total_frames=20))
    assert r['window_inds'].max() < 20 and r['sample_rate'] == 1.0


def test_frames_decoded_once_and_views_cut(synthetic_data):
    line = open(synthetic_data['train']).readline().split()[0]
    import os.path as osp
    path = osp.join(synthetic_data['root'], line)
    np.random.seed(3)
    r = VideoOpen().transform(dict(filename=path))
    r = MultiLevelWindowSampler(window_len=16, max_rate=2.0).transform(r)
    r = MultiViewDecode().transform(r)
    # 16 distinct window frames, each decoded once for three views (8 + 8 + 8 = 24 uses)
    assert r['num_decoded_frames'] == len(np.unique(r['window_inds'])) == 16
    v0, v1, g = r['views']
    np.testing.assert_array_equal(g, np.concatenate([v0, v1])[::2])


def test_per_frame_colour_and_grey():
    np.random.seed(0)
    imgs = np.random.randint(0, 255, (8, 16, 16, 3), dtype=np.uint8)
    out = FrameColorJitter(0.5, 0.5, 0.5, 0.25, p=1.0).transform(dict(imgs=imgs.copy()))
    factors = out['color_jitter']
    assert len(factors) == 8
    assert len({f['brightness'] for f in factors}) == 8  # independent per frame
    from vssl_mm.datasets.transforms import ClipColorJitter
    for t in (0, 5):  # each frame equals the clip jitter applied with its own factors
        np.testing.assert_array_equal(out['imgs'][t],
                                      ClipColorJitter.apply_uint8(imgs[t:t + 1], **factors[t])[0])
    np.random.seed(0)  # the float backend: same draws, the float reference per frame
    assert np.array_equal(np.random.randint(0, 255, (8, 16, 16, 3), dtype=np.uint8), imgs)
    out = FrameColorJitter(
        0.5, 0.5, 0.5, 0.25, p=1.0, backend='float').transform(dict(imgs=imgs.copy()))
    assert out['color_jitter'] == factors
    for t in (0, 5):
        np.testing.assert_array_equal(out['imgs'][t],
                                      ClipColorJitter.apply(imgs[t:t + 1], **factors[t])[0])
    np.random.seed(1)
    g = FrameGrayscale(p=0.5).transform(dict(imgs=imgs.copy()))
    grey = g['grayscale']
    assert 0 < grey.sum() < 8  # some frames grey, some not (seeded)
    for t in range(8):
        chans_equal = (g['imgs'][t, ..., 0] == g['imgs'][t, ..., 1]).all()
        assert chans_equal == grey[t]
        if not grey[t]:
            np.testing.assert_array_equal(g['imgs'][t], imgs[t])


def _flip_ratios(path):
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    ratios = []
    for t in cfg.train_dataloader.dataset.pipeline:
        for sub in t.get('transforms', []):
            if sub['type'] == 'Flip':
                ratios.append(sub['flip_ratio'])
    return ratios


@pytest.mark.parametrize('name,ratio', [('r3d18_synthetic', 0.0), ('r3d18_k400', 0.5),
                                        ('r3d18_ucf', 0.5), ('s3d_k400', 0.5)])
def test_flip_only_where_labels_allow(name, ratio):
    """The synthetic classes come in pairs that a horizontal flip swaps (translate
    right/left, rotate cw/ccw) and each short clip is flipped independently, so the
    synthetic config must not flip; the paper configs keep the flip."""
    assert _flip_ratios(f'configs/mlrep/{name}.py') == [ratio]
