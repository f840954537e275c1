import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.models.heads import SamplingRateHead, SegmentOrderHead
from vssl_mm.models.losses import InfoNCELoss, ShuffleSimilarity, shuffle_distance
from vssl_mm.models.utils import KeyQueue, momentum_update


def algorithm1_reference(za, zb, k, normalize=True):
    """Literal Algorithm 1 for one pair, Python loops."""
    pa = [za[i * len(za) // k:(i + 1) * len(za) // k] for i in range(k)]
    pb = [zb[i * len(zb) // k:(i + 1) * len(zb) // k] for i in range(k)]
    if normalize:
        pa = [p / np.linalg.norm(p) for p in pa]
        pb = [p / np.linalg.norm(p) for p in pb]
    D = np.array([[np.linalg.norm(pa[i] - pb[j]) for j in range(k)] for i in range(k)])
    M, N, dis = set(), set(), 0.0
    while len(M) < k:
        best = None
        for i in range(k):
            for j in range(k):
                if i in M or j in N:
                    continue
                if best is None or D[i, j] < D[best]:
                    best = (i, j)
        dis += D[best]
        M.add(best[0])
        N.add(best[1])
    return dis


@pytest.mark.parametrize('k', [2, 3, 4, 5])
@pytest.mark.parametrize('normalize', [True, False])
def test_shuffle_similarity_matches_algorithm1(k, normalize):
    g = torch.Generator().manual_seed(k)
    q = torch.randn(4, 6 * k, generator=g, dtype=torch.float64)
    keys = torch.randn(7, 6 * k, generator=g, dtype=torch.float64)
    keys[0] = q[0].view(k, 6)[torch.randperm(k, generator=g)].flatten()  # shuffled copy
    got = shuffle_distance(q, keys, k, normalize)
    ref = np.array(
        [[algorithm1_reference(q[b].numpy(), keys[m].numpy(), k, normalize) for m in range(7)]
         for b in range(4)])
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-5)  # sqrt clamp 1e-12
    assert got[0, 0] < 1e-4  # a segment-shuffled copy is at distance 0
    sim = ShuffleSimilarity(num_parts=k, normalize_parts=normalize)(q, keys)
    torch.testing.assert_close(sim, -got)


def test_shuffle_similarity_grad_and_divisibility():
    q = torch.randn(3, 12, requires_grad=True)
    keys = torch.randn(5, 12)
    loss, _ = InfoNCELoss(
        temperature=0.1, gather=False, symmetric=False, similarity=ShuffleSimilarity(3))(
            q, keys[:3], queue=keys)
    loss.backward()
    assert torch.isfinite(q.grad).all() and q.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='divisible'):
        shuffle_distance(torch.randn(2, 10), torch.randn(2, 10), 3)


def test_momentum_update_exact():
    torch.manual_seed(0)
    q, k = nn.Sequential(nn.Linear(3, 4),
                         nn.BatchNorm1d(4)), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    q[1].running_mean.fill_(2.0)
    q[1].num_batches_tracked.fill_(7)
    old_k = {n: t.clone() for n, t in k.state_dict().items()}
    momentum_update(q, k, 0.9)
    for n, t in k.state_dict().items():
        if t.dtype.is_floating_point:
            torch.testing.assert_close(
                t, 0.9 * old_k[n] + 0.1 * q.state_dict()[n], rtol=0, atol=1e-7)
    assert k[1].num_batches_tracked.item() == 7
    momentum_update(q, k, 0.0)
    for n, t in k.state_dict().items():
        torch.testing.assert_close(t, q.state_dict()[n])


def test_queue_wraparound_exact_and_length_check():
    qu = KeyQueue(6, 2)
    batches = [torch.full((2, 2), float(i)) for i in range(5)]
    for b in batches:
        qu.enqueue(b)
    # 5 batches of 2 into 6 slots: slots 0-1 = batch 3, 2-3 = batch 4, 4-5 = batch 2
    expect = torch.tensor([3, 3, 4, 4, 2, 2], dtype=torch.float32)[:, None].expand(6, 2)
    torch.testing.assert_close(qu(), expect)
    assert qu.ptr.item() == 4
    with pytest.raises(ValueError, match='multiple of the global batch'):
        qu.enqueue(torch.zeros(4, 2))
    with pytest.raises(ValueError):
        qu.enqueue(torch.zeros(2, 3))


def test_queue_survives_checkpoint_round_trip(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader
    qu = KeyQueue(8, 3)
    qu.enqueue(torch.ones(4, 3))
    torch.save(dict(state_dict=qu.state_dict(), meta=dict(epoch=1)), tmp_path / 'q.pth')
    ckpt = CheckpointLoader.load_checkpoint(str(tmp_path / 'q.pth'), map_location='cpu')
    new = KeyQueue(8, 3)
    assert not torch.equal(new.queue, qu.queue)
    new.load_state_dict(ckpt['state_dict'])
    torch.testing.assert_close(new.queue, qu.queue)
    assert new.ptr.item() == 4


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
