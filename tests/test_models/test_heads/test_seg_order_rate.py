"""SegmentOrderHead / SamplingRateHead: shapes and losses."""

import numpy as np
import torch
import torch.nn.functional as F

from vssl_mm.models.heads import SamplingRateHead, SegmentOrderHead


def test_heads_shapes_and_losses():
    feat = torch.randn(6, 16)
    oh = SegmentOrderHead(16, num_segments=4, hidden_channels=8, loss_weight=1.0)
    assert oh(feat).shape == (6, 24)
    oh.eval()  # no dropout: the logits below are the ones the loss saw
    labels = torch.arange(6)
    out = oh.loss(feat, labels)
    logits = oh(feat).detach().double()
    # cross-entropy and accuracy by loops over the n! = 24 orders
    ce = np.mean([
        -(float(logits[i, labels[i]]) - np.log(sum(np.exp(float(v)) for v in logits[i])))
        for i in range(6)
    ])
    assert abs(float(out['loss_order'].detach()) - ce) < 1e-5 * max(1.0, ce)
    hits = sum(int(max(range(24), key=lambda c: float(logits[i, c])) == i) for i in range(6))
    assert float(out['acc_order']) == hits / 6
    half = SegmentOrderHead(16, num_segments=4, hidden_channels=8, loss_weight=0.5).eval()
    half.load_state_dict(oh.state_dict())
    torch.testing.assert_close(half.loss(feat, labels)['loss_order'], 0.5 * out['loss_order'])
    rh = SamplingRateHead(16, num_segments=3, max_rate=8, loss_weight=0.3)
    rates = torch.tensor([[1., 2., 8.]]).repeat(6, 1)
    out = rh.loss(feat, rates)
    torch.testing.assert_close(out['loss_rate'], 0.3 * F.mse_loss(rh(feat), rates))
    rc = SamplingRateHead(16, num_segments=3, max_rate=8, mode='classification')
    assert rc(feat).shape == (6, 3, 8)
    out = rc.loss(feat, rates)
    logits = rc(feat)
    ce = F.cross_entropy(logits.flatten(0, 1), (rates.long() - 1).flatten())
    torch.testing.assert_close(out['loss_rate'], 0.3 * ce)
