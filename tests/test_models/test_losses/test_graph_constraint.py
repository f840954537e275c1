"""mlrep's cross-view similarities (Eq. 2-3) and instance graph against hand examples
and loops."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from vssl_mm.models.losses import (cross_view_log_similarity, graph_targets,
                                   instance_graph_log_weights)

TAU = 0.07


def _z(n, d=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(n, 2, d, generator=g), dim=2)


def h(u, v, tau=TAU):
    return math.exp(float(u @ v) / tau)


def test_eq3_and_eq2_against_loops():
    z = _z(5)
    diag = torch.arange(5)
    log_sim = cross_view_log_similarity(z, z, diag, TAU)
    for a in range(2):
        logh = log_sim[:, a]
        for i in range(5):
            for j in range(5):
                ref = h(z[i, 0], z[i, 1]) if i == j else \
                    h(z[i, a], z[j, 0]) + h(z[i, a], z[j, 1])
                assert math.isclose(float(logh[i, j]), math.log(ref), rel_tol=1e-4)
        # Eq. 2: -log h(z1_i, z2_i) / sum_j h(z^a_i, z^*_j)
        ref = np.mean([
            -math.log(h(z[i, 0], z[i, 1]) / sum(math.exp(float(logh[i, j])) for j in range(5)))
            for i in range(5)
        ])
        assert math.isclose(float(F.cross_entropy(logh, diag)), ref, rel_tol=1e-4)


def test_graph_hand_example():
    # W (row 0): diag 4, others 2, 1, 1 (sum 8 -> 0.5, 0.25, 0.125, 0.125); eta = 0.2 drops
    # the 0.125 entries; clusters 0, 0, 1, 0 drop column 2 -> E = [4, 2, 0, 0] / 6
    log_w = torch.log(torch.tensor([[4., 2., 1., 1.]]))
    e = graph_targets(
        log_w, torch.tensor([0]), torch.tensor([0, 0, 1, 0]), torch.tensor([0]), eta=0.2)
    torch.testing.assert_close(e, torch.tensor([[4 / 6, 2 / 6, 0., 0.]]))
    e_ins = graph_targets(
        log_w,
        torch.tensor([0]),
        torch.tensor([0, 0, 1, 0]),
        torch.tensor([0]),
        eta=0.2,
        mode='instance')
    torch.testing.assert_close(e_ins, torch.tensor([[4 / 6, 2 / 6, 0., 0.]]))
    e_sem = graph_targets(
        log_w,
        torch.tensor([0]),
        torch.tensor([0, 0, 1, 0]),
        torch.tensor([0]),
        eta=0.2,
        mode='semantic')
    torch.testing.assert_close(e_sem, torch.tensor([[1 / 3, 1 / 3, 0., 1 / 3]]))
    e_1h = graph_targets(
        log_w, torch.tensor([0]), torch.tensor([0, 0, 1, 0]), torch.tensor([0]), mode='onehot')
    torch.testing.assert_close(e_1h, torch.tensor([[1., 0., 0., 0.]]))


def test_graph_against_loop_reference():
    n, m, eta = 3, 6, 0.12
    zall = _z(m, seed=3)
    rank_offset = 3  # local samples are global 3..5 (rank 1 of 2)
    diag = torch.arange(n) + rank_offset
    zl = zall[rank_offset:]
    log_w = instance_graph_log_weights(zl, zall, diag, TAU)
    labels_all = torch.tensor([0, 1, 0, 1, 1, 0])
    e = graph_targets(log_w, labels_all[rank_offset:], labels_all, diag, eta)
    for i in range(n):
        gi = i + rank_offset
        w = [
            h(zall[gi, 0], zall[gi, 1]) if j == gi else 0.25 *
            sum(h(zall[gi, a], zall[j, b]) for a in range(2) for b in range(2)) for j in range(m)
        ]
        tot = sum(w)
        row = [
            w[j] if (w[j] / tot >= eta or j == gi) and labels_all[j] == labels_all[gi] else 0.0
            for j in range(m)
        ]
        ref = np.array(row) / sum(row)
        np.testing.assert_allclose(e[i].numpy(), ref, rtol=1e-4, atol=1e-6)
        assert e[i, gi] > 0
