"""S_k (Eq. 1) against a brute-force tube-intersection computation."""
import itertools

import numpy as np
import pytest
import torch

from vssl_mm.models.utils.correspondence import correspondence_from_metainfo, correspondence_matrix


def _tubes(window, box, flip, grid):
    """Raw-video boxes of every cell, by mapping the corners of each cell of the view's
    normalised output grid back to raw coordinates (a flipped view reads x from the right
    edge). Loop order (t, h, w)."""
    t0, t1 = window
    x0, y0, x1, y1 = box
    T, H, W = grid
    out = []
    for t, h, w in itertools.product(range(T), range(H), range(W)):
        us = np.array([w / W, (w + 1) / W])  # output-space x of the cell's edges
        xs = x1 - us * (x1 - x0) if flip else x0 + us * (x1 - x0)
        out.append((t0 + (t1 - t0) * t / T, t0 + (t1 - t0) * (t + 1) / T, y0 + (y1 - y0) * h / H,
                    y0 + (y1 - y0) * (h + 1) / H, xs.min(), xs.max()))
    return out


def _brute(lw, lb, lf, gw, gb, gf, lgrid, ggrid):
    loc, glo = _tubes(lw, lb, lf, lgrid), _tubes(gw, gb, gf, ggrid)
    s = np.zeros((len(loc), len(glo)))
    for i, a in enumerate(loc):
        vol = (a[1] - a[0]) * (a[3] - a[2]) * (a[5] - a[4])
        for j, b in enumerate(glo):
            inter = 1.
            for d in range(3):
                inter *= max(0., min(a[2 * d + 1], b[2 * d + 1]) - max(a[2 * d], b[2 * d]))
            s[i, j] = inter / vol
    return s


@pytest.mark.parametrize('flips', [(False, False), (True, False), (False, True), (True, True)])
def test_matches_brute_force(flips):
    rng = np.random.RandomState(sum(flips) * 7 + flips[0])
    n, k = 3, 2
    lgrid, ggrid = (2, 3, 2), (4, 2, 3)
    lw, lb, gw, gb = [], [], [], []
    for _ in range(n):
        total = rng.randint(40, 200)
        gx0, gy0 = rng.uniform(0, 50, 2)
        gbox = (gx0, gy0, gx0 + rng.uniform(20, 100), gy0 + rng.uniform(20, 100))
        gw.append((0., total))
        gb.append(gbox)
        ws, bs = [], []
        for _ in range(k):
            s = rng.uniform(0, total - 10)
            ws.append((s, rng.uniform(s + 1, total)))
            xa, xb = np.sort(rng.uniform(gbox[0], gbox[2], 2))
            ya, yb = np.sort(rng.uniform(gbox[1], gbox[3], 2))
            bs.append((xa, ya, xb, yb))
        lw.append(ws)
        lb.append(bs)
    lf = torch.full((n, k), flips[0])
    lf[:, 1] = not flips[0]  # both flip states in every sample
    gf = torch.full((n, ), flips[1])
    S = correspondence_matrix(
        torch.tensor(lw), torch.tensor(lb), lf, torch.tensor(gw), torch.tensor(gb), gf, lgrid,
        ggrid).double()
    assert S.shape == (n, k, 12, 24)
    for a in range(n):
        for c in range(k):
            ref = _brute(lw[a][c], lb[a][c], bool(lf[a, c]), gw[a], gb[a], bool(gf[a]), lgrid,
                         ggrid)
            np.testing.assert_allclose(S[a, c].numpy(), ref, atol=1e-5)
    torch.testing.assert_close(
        S.sum(-1), torch.ones(n, k, 12, dtype=torch.float64), atol=1e-5, rtol=0)


def test_flip_reverses_columns_and_hand_value():
    # local clip = right half of the global box, first half of the video; 1x1x2 vs 2x1x2
    kw = dict(
        local_windows=torch.tensor([[[0., 50.]]]),
        local_boxes=torch.tensor([[[50., 0., 100., 10.]]]),
        global_window=torch.tensor([[0., 100.]]),
        global_box=torch.tensor([[0., 0., 100., 10.]]),
        local_grid=(1, 1, 2),
        global_grid=(2, 1, 2))
    s = correspondence_matrix(
        local_flips=torch.tensor([[False]]), global_flip=torch.tensor([False]), **kw)[0, 0]
    # both local cells lie in global time cell 0, global column 1 (x in [50, 100))
    torch.testing.assert_close(s, torch.tensor([[0., 1., 0., 0.], [0., 1., 0., 0.]]))
    s = correspondence_matrix(
        local_flips=torch.tensor([[False]]), global_flip=torch.tensor([True]), **kw)[0, 0]
    torch.testing.assert_close(s, torch.tensor([[1., 0., 0., 0.], [1., 0., 0., 0.]]))
    # a local box straddling the global columns, flipped: its feature column 0 is the
    # right part of the box
    kw['local_boxes'] = torch.tensor([[[25., 0., 75., 10.]]])
    s = correspondence_matrix(
        local_flips=torch.tensor([[True]]), global_flip=torch.tensor([False]), **kw)[0, 0]
    torch.testing.assert_close(s, torch.tensor([[0., 1., 0., 0.], [1., 0., 0., 0.]]))


def test_from_recorded_pipeline_params_rows_sum_to_one():
    from vssl_mm.datasets.transforms import CtrlAugCrop, CtrlAugSampler
    params = []
    for seed in range(8):
        np.random.seed(seed)
        r = CtrlAugSampler(num_clips=4)(dict(total_frames=120 + seed))
        r['views'] = [np.zeros((1, 60, 80, 3), np.uint8)] * 5
        params.append(CtrlAugCrop(out_size=32)(r)['ctrl_params'])
    S = correspondence_from_metainfo(params, (2, 4, 4), (8, 4, 4))
    assert S.shape == (8, 4, 32, 128)
    torch.testing.assert_close(S.sum(-1), torch.ones(8, 4, 32), atol=1e-5, rtol=0)
    assert (S >= 0).all()
