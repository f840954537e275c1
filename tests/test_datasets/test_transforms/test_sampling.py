"""RandomClipsSampler / UniformClipsSampler invariants."""

import numpy as np

from vssl_mm.datasets.transforms import RandomClipsSampler, UniformClipsSampler, fit_interval


def test_random_clips_sampler_invariants():
    for seed in range(50):
        np.random.seed(seed)
        total = np.random.randint(1, 80)
        out = RandomClipsSampler(
            clip_len=8, frame_interval=3, num_views=3)(
                dict(total_frames=total))
        assert len(out['view_frame_inds']) == 3
        for inds in out['view_frame_inds']:
            assert len(inds) == 8
            assert inds.min() >= 0 and inds.max() < total
            if total >= 8:  # no looping needed: strictly increasing with the used interval
                assert np.all(np.diff(inds) == out['frame_interval'])
        assert out['frame_interval'] == fit_interval(total, 8, 3)


def test_uniform_clips_sampler_spreads_clips():
    out = UniformClipsSampler(clip_len=4, frame_interval=1, num_clips=10)(dict(total_frames=103))
    starts = [int(i[0]) for i in out['view_frame_inds']]
    assert starts == sorted(starts) and len(set(starts)) == 10
    assert starts[0] == 5 and starts[-1] == 95  # centres of 10 segments of 100 starts
