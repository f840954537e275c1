"""mlrep's temporal terms: timestamp retrieval labels, transformed copies as negatives."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from vssl_mm.models.algorithms.mlrep import temporal_transform
from vssl_mm.models.losses import timestamp_retrieval_loss, transformed_copy_contrast_loss

TAU = 0.07


def h(u, v, tau=TAU):
    return math.exp(float(u @ v) / tau)


def test_retrieval_labels_point_at_same_timestamps():
    # token k of the concatenated short clips and token k of the global clip cover the
    # same window frames: check with the sampler's indices and the token pooling
    from vssl_mm.datasets.transforms import MultiLevelWindowSampler
    np.random.seed(0)
    r = MultiLevelWindowSampler(window_len=32).transform(dict(total_frames=100))
    v0, v1, g = [torch.tensor(v, dtype=torch.float32) for v in r['view_frame_inds']]
    for t in (2, 4, 8):
        short = torch.cat([F.adaptive_avg_pool1d(v[None, None], t // 2)[0, 0] for v in (v0, v1)])
        long = F.adaptive_avg_pool1d(g[None, None], t)[0, 0]
        # same timestamps: each short token's centre frame is nearest to the global token
        # with the same index
        assert (torch.cdist(short[:, None], long[:, None]).argmin(1) == torch.arange(t)).all()
    # the loss is minimal when tokens match by index, and its labels are the diagonal
    tok = F.normalize(torch.randn(2, 4, 8), dim=2)
    loss_right, acc = timestamp_retrieval_loss(tok, tok, 0.05)
    loss_wrong, _ = timestamp_retrieval_loss(tok, tok.flip(1), 0.05)
    assert acc == 1.0 and loss_right < loss_wrong


def test_reversed_copies_are_negatives():
    q = F.normalize(torch.randn(3, 2, 8), dim=2)
    far = F.normalize(torch.randn(1, 3, 2, 8), dim=3)
    # copies equal to the clip itself make L_aug larger than unrelated copies
    loss_same, _ = transformed_copy_contrast_loss(q, q[None].clone(), TAU)
    loss_far, _ = transformed_copy_contrast_loss(q, far, TAU)
    assert loss_same > loss_far
    # Eq. 11-12 literally: -log h(q1, q2) / (h(q1, q2) + h(q^a, aug(q^a)))
    ref = 0.0
    for a in range(2):
        for i in range(3):
            pos = h(q[i, 0], q[i, 1])
            ref -= math.log(pos / (pos + h(q[i, a], far[0, i, a]))) / 6
    assert math.isclose(float(loss_far), ref, rel_tol=1e-4)
    x = torch.arange(4.).view(1, 1, 4)
    assert temporal_transform(x, 'reverse').flatten().tolist() == [3, 2, 1, 0]
    torch.manual_seed(0)
    for _ in range(20):
        s = temporal_transform(x, 'shuffle').flatten()
        assert sorted(s.tolist()) == [0, 1, 2, 3] and s.tolist() != [0, 1, 2, 3]
