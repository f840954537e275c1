"""Clip-consistent augmentation: ViewsApply, ClipColorJitter, ClipGrayscale."""

import numpy as np
import pytest

from vssl_mm.datasets.transforms import ClipColorJitter, ClipGrayscale, ViewsApply


def test_views_apply_is_clip_consistent_and_records_params():
    rng = np.random.default_rng(0)
    views = [rng.integers(0, 255, (4, 40, 50, 3), dtype=np.uint8) for _ in range(2)]
    t = ViewsApply([dict(type='RandomCrop', size=20), dict(type='Flip', flip_ratio=0.5)])
    np.random.seed(1)
    out = t(dict(views=[v.copy() for v in views]))
    for v, src, p in zip(out['views'], views, out['view_params']):
        x1, y1, x2, y2 = p['crop_bbox']
        expect = src[:, y1:y2, x1:x2]
        if p['flip']:
            expect = expect[:, :, ::-1]
        assert np.array_equal(v, expect)  # every frame got the same crop and flip
        assert v.shape == (4, 20, 20, 3)


def test_color_jitter_identity_and_consistency():
    imgs = np.random.default_rng(0).integers(0, 255, (3, 8, 8, 3), dtype=np.uint8)
    assert np.array_equal(ClipColorJitter.apply(imgs), imgs)
    bright = ClipColorJitter.apply(imgs, brightness=0.5)
    assert np.array_equal(bright, (imgs.astype(np.float32) * 0.5).round().astype(np.uint8))
    # one set of factors for the whole clip: identical frames stay identical
    same = np.repeat(imgs[:1], 3, axis=0)
    np.random.seed(0)
    out = ClipColorJitter(hue=0.5, p=1.0)(dict(imgs=same))
    assert all(np.array_equal(out['imgs'][0], f) for f in out['imgs'])
    assert set(out['color_jitter']) == {'brightness', 'contrast', 'saturation', 'hue', 'order'}
    with pytest.raises(ValueError, match='hue'):
        ClipColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="backend.*'half'"):
        ClipColorJitter(backend='half')


def test_color_jitter_uint8_ops_against_hand_values():
    """``apply_uint8``: each operation is its formula rounded once (hand references)."""
    rng = np.random.default_rng(1)
    imgs = rng.integers(0, 256, (3, 6, 7, 3), dtype=np.uint8)
    x = imgs.astype(np.float64)
    before = imgs.copy()
    for b in (0.5, 0.73, 1.5):
        expect = np.clip(np.rint(x * b), 0, 255)
        assert np.array_equal(ClipColorJitter.apply_uint8(imgs, brightness=b), expect)
    for c in (0.6, 1.4):
        mean = (x @ np.array([0.299, 0.587, 0.114])).mean()  # grey mean of the whole clip
        expect = np.clip(np.rint(c * x + (1 - c) * mean), 0, 255)
        got = ClipColorJitter.apply_uint8(imgs, contrast=c)
        assert np.abs(got - expect).max() <= 1  # float32 arithmetic inside OpenCV
        assert (got != expect).mean() < 0.02
    for sat in (0.0, 0.5, 1.5):
        grey = np.rint(x @ np.array([0.299, 0.587, 0.114]))[..., None]
        expect = np.clip(np.rint(sat * x + (1 - sat) * grey), 0, 255)
        got = ClipColorJitter.apply_uint8(imgs, saturation=sat)
        assert np.abs(got - expect).max() <= 2  # OpenCV's fixed-point grey
    grey = ClipColorJitter.apply_uint8(imgs, saturation=0.0)
    assert np.abs(grey.astype(int) - grey[..., :1]).max() == 0  # three equal channels
    # hue: a third of a turn takes pure red to green and green to blue
    rgb = np.array([[[[255, 0, 0], [0, 255, 0]]]], dtype=np.uint8)
    shifted = ClipColorJitter.apply_uint8(rgb, hue=1 / 3)
    assert np.abs(shifted.astype(int) - [[[[0, 255, 0], [0, 0, 255]]]]).max() <= 6
    assert np.array_equal(imgs, before)  # the input is never written
    same = ClipColorJitter.apply_uint8(imgs)  # identity factors: equal values, own buffer
    assert np.array_equal(same, imgs) and not np.shares_memory(same, imgs)


def test_color_jitter_uint8_close_to_float_reference():
    """The two backends differ by rounding only: over 200 random factor sets and orders
    at most 2 grey levels without hue (mean well under one level with hue, where a
    one-level change of a near-grey pixel can move its hue)."""
    worst_no_hue, mean_diffs = 0, []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        clip = rng.integers(0, 256, (2, 12, 12, 3), dtype=np.uint8)
        factors = dict(
            brightness=rng.uniform(0.5, 1.5),
            contrast=rng.uniform(0.5, 1.5),
            saturation=rng.uniform(0.5, 1.5),
            order=tuple(rng.permutation(4)))
        d = np.abs(
            ClipColorJitter.apply(clip, **factors).astype(int) -
            ClipColorJitter.apply_uint8(clip, **factors))
        worst_no_hue = max(worst_no_hue, int(d.max()))
        h = float(rng.uniform(-0.25, 0.25))
        d = np.abs(
            ClipColorJitter.apply(clip, hue=h, **factors).astype(int) -
            ClipColorJitter.apply_uint8(clip, hue=h, **factors))
        mean_diffs.append(d.mean())
    assert worst_no_hue <= 2
    assert np.mean(mean_diffs) < 1.0
    # the transform uses the chosen backend with the same random draws
    imgs = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    outs = {}
    for backend in ('uint8', 'float'):
        np.random.seed(3)
        outs[backend] = ClipColorJitter(p=1.0, backend=backend)(dict(imgs=imgs.copy()))
    f = outs['float']['color_jitter']
    assert outs['uint8']['color_jitter'] == f
    assert np.array_equal(outs['float']['imgs'], ClipColorJitter.apply(imgs, **f))
    assert np.array_equal(outs['uint8']['imgs'], ClipColorJitter.apply_uint8(imgs, **f))


def test_grayscale_equal_channels():
    imgs = np.random.default_rng(0).integers(0, 255, (2, 5, 5, 3), dtype=np.uint8)
    out = ClipGrayscale(p=1.0)(dict(imgs=imgs))
    assert out['grayscale'] is True
    assert np.array_equal(out['imgs'][..., 0], out['imgs'][..., 2])


def test_grey_rgb_is_the_rounded_luma():
    from vssl_mm.datasets.transforms.augment import grey_rgb
    imgs = np.random.default_rng(2).integers(0, 256, (3, 9, 10, 3), dtype=np.uint8)
    expect = np.rint(imgs.astype(np.float64) @ np.array([0.299, 0.587, 0.114]))
    got = grey_rgb(imgs)
    assert got.shape == imgs.shape and got.dtype == np.uint8
    assert (got == got[..., :1]).all()
    assert np.abs(got[..., 0] - expect).max() <= 1  # OpenCV rounds in fixed point
    assert (got[..., 0] != expect).mean() < 0.1  # a few ties and fixed-point roundings
    out = ClipGrayscale(p=1.0)(dict(imgs=imgs.copy()))
    assert np.array_equal(out['imgs'], got)
