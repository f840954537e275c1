import math

import numpy as np
import pytest

from vssl_mm.datasets.transforms.seg_order_rate import (SegmentOrderRateSampler, permutations_table,
                                                        segment_span)


def _check_clip(s, res, total, view=0):
    n, clip_len = s.num_segments, s.clip_len
    inds = np.asarray(res['view_frame_inds'][view])
    label = res['view_order_labels'][view]
    rates = res['view_seg_rates'][view]
    lengths = res['view_seg_lengths'][view]
    assert inds.shape == (clip_len, )
    assert lengths.sum() == clip_len and (lengths >= s.min_len).all()
    assert len(lengths) == len(rates) == n
    assert ((rates >= 1) & (rates <= s.max_rate)).all()
    assert inds.min() >= 0 and inds.max() < total
    perm = permutations_table(n)[label]
    assert 0 <= label < math.factorial(n)
    # cut the shown clip into its segments; each increases by exactly its rate
    bounds = np.cumsum([0] + list(lengths))
    shown = [inds[bounds[j]:bounds[j + 1]] for j in range(n)]
    for seg, r in zip(shown, rates):
        assert (np.diff(seg) == r).all()
    # undo the permutation: time order = input segment j is time segment perm[j]
    time_order = [None] * n
    for j, t in enumerate(perm):
        time_order[t] = shown[j]
    for a, b in zip(time_order[:-1], time_order[1:]):
        assert b[0] > a[-1]  # segments in time order, non-overlapping
    # next segment starts one of its own steps after the previous one ends
    time_rates = [None] * n
    for j, t in enumerate(perm):
        time_rates[t] = rates[j]
    for t in range(1, n):
        assert time_order[t][0] - time_order[t - 1][-1] == time_rates[t]
    assert time_order[-1][-1] - time_order[0][0] + 1 == segment_span([len(x) for x in time_order],
                                                                     time_rates)


@pytest.mark.parametrize('n', [2, 3, 4, 5])
def test_sampler_invariants_many_seeds(n):
    s = SegmentOrderRateSampler(clip_len=16, num_segments=n, max_rate=8, num_views=2)
    labels, rates_seen = set(), set()
    for seed in range(300):
        np.random.seed(seed)
        total = [300, 130, 60, 16][seed % 4]  # long videos and short ones (fallback)
        res = s.transform(dict(total_frames=total))
        for v in range(2):
            _check_clip(s, res, total, v)
        assert res['order_label'] == res['view_order_labels'][0]
        np.testing.assert_array_equal(res['seg_rates'], res['view_seg_rates'][0])
        labels.add(res['order_label'])
        rates_seen.update(res['seg_rates'].tolist())
    assert len(labels) >= min(math.factorial(n), 60)  # all orders occur
    assert rates_seen == set(range(1, 9))  # every rate occurs on long videos


def test_short_video_fallback_and_skip():
    s = SegmentOrderRateSampler(clip_len=16, num_segments=3, max_rate=8)
    np.random.seed(0)
    res = s.transform(dict(total_frames=16))  # only all-ones rates fit
    assert (res['view_seg_rates'] == 1).all()
    np.testing.assert_array_equal(np.sort(res['view_frame_inds'][0]), np.arange(16))
    with pytest.raises(ValueError, match='fewer than clip_len'):
        s.transform(dict(total_frames=15))
    loop = SegmentOrderRateSampler(clip_len=16, num_segments=3, short_video='loop')
    res = loop.transform(dict(total_frames=10))
    assert max(i.max() for i in res['view_frame_inds']) < 10
    with pytest.raises(ValueError):
        SegmentOrderRateSampler(clip_len=8, num_segments=3, min_len=3)


def test_permutation_table_order():
    assert permutations_table(3) == [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1),
                                     (2, 1, 0)]


def test_decoded_frames_are_the_needed_frames(tmp_path):
    import decord
    from mmengine.registry import init_default_scope

    from vssl_mm.datasets import make_synthetic_dataset
    from vssl_mm.registry import TRANSFORMS
    init_default_scope('vssl_mm')
    info = make_synthetic_dataset(
        str(tmp_path),
        num_train_per_class=1,
        num_val_per_class=0,
        num_frames=48,
        height=64,
        width=64)
    rel = open(info['train']).readline().split()[0]
    path = str(tmp_path / rel)
    pipe = [
        TRANSFORMS.build(dict(type='VideoOpen')),
        TRANSFORMS.build(dict(type='SegmentOrderRateSampler', max_rate=3)),
        TRANSFORMS.build(dict(type='MultiViewDecode'))
    ]
    np.random.seed(3)
    res = dict(filename=path)
    for t in pipe:
        res = t(res)
    needed = np.unique(np.concatenate(res['view_frame_inds']))
    assert res['num_decoded_frames'] == len(needed)
    ref = decord.VideoReader(path)
    for inds, view in zip(res['view_frame_inds'], res['views']):
        np.testing.assert_array_equal(view, ref.get_batch(list(inds)).asnumpy())
