"""CtrlAugSampler (ctrl_aug): local clip centres in time bins, frames inside the video."""

import numpy as np
import pytest

from vssl_mm.datasets.transforms import CtrlAugSampler


@pytest.mark.parametrize('k', [1, 2, 3, 4])
def test_local_centres_in_bins_and_frames_in_video(k):
    s = CtrlAugSampler(num_clips=k, clip_len=16, frame_interval=2, global_len=16)
    for seed in range(200):
        np.random.seed(seed)
        total = [300, 181, 97, 140][seed % 4]
        res = s.transform(dict(total_frames=total))
        p = res['ctrl_params']
        inds = res['view_frame_inds']
        assert len(inds) == 1 + k
        # global: one frame per equal segment of the video
        g = inds[0]
        seg = np.floor(g * 16 / total)
        np.testing.assert_array_equal(seg, np.arange(16))
        for j in range(k):
            loc = inds[1 + j]
            assert loc.min() >= 0 and loc.max() < total
            assert (np.diff(loc) == p['frame_interval']).all()
            t0, t1 = p['local_windows'][j]
            assert t0 == loc[0] and t1 == loc[-1] + 1
            c = p['local_centres'][j]
            assert c == (t0 + t1) / 2
            assert j * total / k - 1e-6 <= c <= (j + 1) * total / k + 1e-6, (seed, j, c)


def test_short_video_fallback_and_skip():
    s = CtrlAugSampler(num_clips=4, clip_len=16, frame_interval=4)
    res = s.transform(dict(total_frames=20))  # interval lowered, starts clamped
    assert max(i.max() for i in res['view_frame_inds']) < 20
    assert res['ctrl_params']['frame_interval'] == 1
    with pytest.raises(ValueError, match='fewer than clip_len'):
        s.transform(dict(total_frames=15))
