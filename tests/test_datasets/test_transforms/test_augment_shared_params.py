"""ViewsApply(same_params_across_views=True): one crop shared by all views of a sample
(tried for mlrep on the synthetic camera videos, docs/experiments/mlrep.md "Fifth session":
the short and global clips then see the same region, so Eq. 13's timestamps can be
matched by content)."""
import numpy as np

from vssl_mm.datasets.transforms import ViewsApply

CROP = [
    dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
    dict(type='Resize', scale=(16, 16), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5)
]


def _views(seed, n=3):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 255, (4, 40, 50, 3), dtype=np.uint8) for _ in range(n)]


def _expected(src, p):
    """Crop + resize + flip of ``src`` by the recorded parameters, with one shared
    ``Resize`` call (the same transform on the same crop gives the same pixels)."""
    from vssl_mm.datasets.transforms.builder import build_transforms
    x1, y1, x2, y2 = p['crop_bbox']
    sub = dict(imgs=list(src[:, y1:y2, x1:x2]), img_shape=(y2 - y1, x2 - x1), modality='RGB')
    sub = build_transforms([CROP[1]])[0](sub)
    out = np.stack(sub['imgs'])
    return out[:, :, ::-1] if p['flip'] else out


def test_shared_params_same_crop_and_flip_each_view_its_own_pixels():
    t = ViewsApply(CROP, same_params_across_views=True)
    bboxes = set()
    for seed in range(20):
        np.random.seed(seed)
        src = _views(seed)
        out = t(dict(views=[v.copy() for v in src]))
        params = out['view_params']
        assert len({tuple(p['crop_bbox']) for p in params}) == 1  # one crop for all views
        assert len({bool(p['flip']) for p in params}) == 1
        bboxes.add(tuple(params[0]['crop_bbox']))
        for v, s, p in zip(out['views'], src, params):  # each view cropped from itself
            np.testing.assert_array_equal(v, _expected(s, p))
        assert not np.array_equal(out['views'][0], out['views'][1])
    assert len(bboxes) > 10  # still random from sample to sample


def test_rng_moves_on_between_samples():
    t = ViewsApply(CROP, same_params_across_views=True)
    np.random.seed(0)
    a = t(dict(views=_views(0)))['view_params'][0]['crop_bbox']
    b = t(dict(views=_views(0)))['view_params'][0]['crop_bbox']
    assert tuple(a) != tuple(b)


def test_default_draws_independent_crops():
    t = ViewsApply(CROP)
    assert not t.same_params_across_views
    differ = 0
    for seed in range(20):
        np.random.seed(seed)
        params = t(dict(views=_views(seed)))['view_params']
        differ += len({tuple(p['crop_bbox']) for p in params}) > 1
    assert differ >= 18


def test_views_subset_shares_only_among_selected():
    t = ViewsApply(CROP, views=[0, 2], same_params_across_views=True)
    np.random.seed(5)
    src = _views(5)
    out = t(dict(views=[v.copy() for v in src]))
    p = out['view_params']
    assert tuple(p[0]['crop_bbox']) == tuple(p[2]['crop_bbox'])
    assert 'crop_bbox' not in p[1]
    np.testing.assert_array_equal(out['views'][1], src[1])  # untouched
