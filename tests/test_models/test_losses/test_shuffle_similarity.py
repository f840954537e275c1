"""ShuffleSimilarity against Algorithm 1."""

import numpy as np
import pytest
import torch

from vssl_mm.models.losses import InfoNCELoss, ShuffleSimilarity, aligned_dot, shuffle_distance


def algorithm1_reference(za, zb, k, normalize=True, return_pairs=False):
    """Literal Algorithm 1 for one pair, Python loops (and the matched part pairs)."""
    pa = [za[i * len(za) // k:(i + 1) * len(za) // k] for i in range(k)]
    pb = [zb[i * len(zb) // k:(i + 1) * len(zb) // k] for i in range(k)]
    if normalize:
        pa = [p / np.linalg.norm(p) for p in pa]
        pb = [p / np.linalg.norm(p) for p in pb]
    D = np.array([[np.linalg.norm(pa[i] - pb[j]) for j in range(k)] for i in range(k)])
    M, N, dis, pairs = set(), set(), 0.0, []
    while len(M) < k:
        best = None
        for i in range(k):
            for j in range(k):
                if i in M or j in N:
                    continue
                if best is None or D[i, j] < D[best]:
                    best = (i, j)
        dis += D[best]
        pairs.append(best)
        M.add(best[0])
        N.add(best[1])
    return (dis, pairs) if return_pairs else dis


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


@pytest.mark.parametrize('k', [2, 3, 5])
@pytest.mark.parametrize('normalize', [True, False])
def test_aligned_dot_is_the_dot_of_algorithm1_matched_parts(k, normalize):
    g = torch.Generator().manual_seed(10 + k)
    q = torch.randn(3, 4 * k, generator=g, dtype=torch.float64)
    keys = torch.randn(6, 4 * k, generator=g, dtype=torch.float64)
    got = aligned_dot(q, keys, k, normalize)
    ref = np.zeros((3, 6))
    for b in range(3):
        for m in range(6):
            _, pairs = algorithm1_reference(q[b].numpy(), keys[m].numpy(), k, normalize, True)
            qa, ka = q[b].view(k, 4).numpy(), keys[m].view(k, 4).numpy()
            ref[b, m] = sum(qa[i] @ ka[j] for i, j in pairs)  # raw parts, matched
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-10, atol=1e-10)
    sim = ShuffleSimilarity(num_parts=k, normalize_parts=normalize, score='aligned_dot')(q, keys)
    torch.testing.assert_close(sim, got)


def test_aligned_dot_is_the_cosine_of_aligned_unit_embeddings():
    g = torch.Generator().manual_seed(0)
    q = torch.nn.functional.normalize(torch.randn(4, 12, generator=g, dtype=torch.float64), dim=1)
    keys = torch.nn.functional.normalize(
        torch.randn(8, 12, generator=g, dtype=torch.float64), dim=1)
    perm = torch.tensor([2, 0, 1])
    keys[0] = q[0].view(3, 4)[perm].flatten()  # a segment-shuffled copy of query 0
    s = aligned_dot(q, keys, 3)
    assert (s.abs() <= 1 + 1e-12).all()
    assert s[0, 0].item() == pytest.approx(1.0)  # aligned back: cosine 1
    assert (q[0] @ keys[0]).item() < 0.9  # the plain dot product sees the shuffle
    assert s[0, 0] > s[0, 1:].max()
    # the identity matching gives the plain dot product: a key equal to the query
    assert aligned_dot(q, q, 3).diagonal().tolist() == pytest.approx([1.0] * 4)


def test_aligned_dot_gradient_and_errors():
    q = torch.randn(3, 12, requires_grad=True)
    keys = torch.randn(5, 12)
    loss, _ = InfoNCELoss(
        temperature=0.1,
        gather=False,
        symmetric=False,
        similarity=ShuffleSimilarity(3, normalize_parts=False, score='aligned_dot'))(
            q, keys[:3], queue=keys)
    loss.backward()
    assert torch.isfinite(q.grad).all() and q.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='score'):
        ShuffleSimilarity(3, score='cosine')
    with pytest.raises(ValueError, match='divisible'):
        aligned_dot(torch.randn(2, 10), torch.randn(2, 10), 3)
