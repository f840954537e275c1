"""One InfoNCELoss for every contrastive term: each form against the formula it replaced
(kept here as the reference) and against a brute-force loop, values, accuracies and
gradients; the permutation table and clip shuffles against their former code.

The 2-rank gathers of these forms are checked in ``test_distributed_equivalence.py``
(HDC's contrast, ctrl_aug's L_rc and L_nce) and below (extra negatives, queues)."""
import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from tests.test_models.dist_harness import local_rows, rel_error, run_on_ranks
from vssl_mm.models.heads.ctrl_aug import permute_clips, shuffle_clips
from vssl_mm.models.losses import (DotSimilarity, InfoNCELoss, ShuffleSimilarity, dot_similarity,
                                   info_nce_logits_loss)
from vssl_mm.models.losses.info_nce import soft_cross_entropy
from vssl_mm.utils.permutations import permutations_table

F64 = torch.float64


def _unit(*shape, seed: int) -> torch.Tensor:
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return F.normalize(x, dim=-1).requires_grad_(True)


def _grads(loss, *xs):
    return torch.autograd.grad(loss, xs)


def _assert_same(a, b, tol=1e-12):
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y, rtol=tol, atol=tol)


# ---------------------------------------------------------------------- brute force
def brute_force(q, k, tau, queue=None, negatives=None):
    """``-mean_i log exp(q_i k_i / tau) / sum_c exp(q_i c / tau)`` by loops over
    ``(N, D)`` rows; candidates: every key, the queue, then ``negatives[i]``."""
    q, k = q.detach(), k.detach()
    total = 0.
    for i in range(q.shape[0]):
        cands = list(k) + ([] if queue is None else list(queue)) + ([] if negatives is None else
                                                                    list(negatives[i]))
        den = sum(math.exp(float(q[i] @ c) / tau) for c in cands)
        total += -math.log(math.exp(float(q[i] @ k[i]) / tau) / den)
    return total / q.shape[0]


# ---------------------------------------------------------------------- former formulas
def former_hdc_one_way(query, key, tau):
    """HDC's former ``_nce_one_way`` (one process)."""
    n, p, _ = query.shape
    logits = torch.einsum('ipd,jpd->pij', query, key) / tau
    targets = torch.arange(n).repeat(p)
    logits = logits.reshape(p * n, -1)
    acc = (logits.argmax(dim=1) == targets).float().mean()
    return F.cross_entropy(logits, targets), acc


def former_region_contrast(q, key, s, tau):
    """ctrl_aug's former L_rc body: ``q`` ``(N, K*Nc, D)``, ``key`` ``(N, Nv, D)``,
    ``s`` ``(N, K*Nc, Nv)``."""
    n, nv = q.shape[0], key.shape[1]
    logits = q.flatten(0, 1) @ key.flatten(0, 1).t() / tau
    logp = F.log_softmax(logits, dim=1).view(n, q.shape[1], -1, nv)
    own = torch.arange(n)
    loss = -(s * logp[own, :, own]).sum(-1).mean()
    best = logits.view(n, q.shape[1], -1).argmax(-1)
    acc = (best == own[:, None] * nv + s.argmax(-1)).float().mean()
    return loss, acc


def former_clip_nce(z, tau):
    """ctrl_aug's former L_nce body: ``z`` ``(N, 2, D)``."""
    target = torch.arange(z.shape[0])
    loss = 0.
    for a, b in ((0, 1), (1, 0)):
        loss = loss + F.cross_entropy(z[:, a] @ z[:, b].t() / tau, target) / 2
    return loss


def former_vcop_draw(local_vec):
    """ctrl_aug's former VCOP branch: table, labels, shuffled clips."""
    k = local_vec.shape[1]
    table = torch.tensor(list(itertools.permutations(range(k))))
    label = torch.randint(len(table), (local_vec.shape[0], ))
    perms = table[label]
    return local_vec.gather(1, perms[..., None].expand_as(local_vec)), label


def former_shuffle_clips(clips, generator=None):
    b, k = clips.shape[:2]
    table = torch.tensor(list(itertools.permutations(range(k)))[1:])
    idx = torch.randint(len(table), (b, ), generator=generator)
    perms = table[idx]
    return clips.gather(1, perms[..., None].expand(-1, -1, clips.shape[2])), perms


# ---------------------------------------------------------------------- tests
@pytest.mark.parametrize('symmetric', [False, True])
def test_positionwise_equals_former_hdc_and_loops(symmetric):
    q, k = _unit(6, 4, 8, seed=0), _unit(6, 4, 8, seed=1)
    tau = 0.07
    loss, acc = InfoNCELoss(tau, gather=True, symmetric=symmetric)(q, k)
    ref, ref_acc = former_hdc_one_way(q, k, tau)
    if symmetric:
        ref2, acc2 = former_hdc_one_way(k, q, tau)
        ref, ref_acc = (ref + ref2) / 2, (ref_acc + acc2) / 2
    torch.testing.assert_close(loss, ref, rtol=1e-12, atol=0)
    assert acc == ref_acc
    _assert_same(_grads(loss, q, k), _grads(ref, q, k))
    loops = sum(brute_force(q[:, p], k[:, p], tau) for p in range(4)) / 4
    if not symmetric:
        assert float(loss) == pytest.approx(loops, rel=1e-10)


def test_positionwise_with_queue_and_negatives_is_mean_over_positions():
    n, p, a, d = 5, 3, 2, 8
    q, k = _unit(n, p, d, seed=2), _unit(n, p, d, seed=3)
    queue, negs = _unit(4, p, d, seed=4), _unit(n, p, a, d, seed=5)
    loss, _ = InfoNCELoss(0.2, symmetric=False)(q, k, queue=queue, negatives=negs)
    ref = sum(brute_force(q[:, i], k[:, i], 0.2, queue[:, i], negs[:, i]) for i in range(p)) / p
    assert float(loss) == pytest.approx(ref, rel=1e-10)


def test_grouped_soft_targets_equal_former_region_contrast():
    n, qn, nv, d, tau = 3, 10, 6, 8, 0.07
    q, key = _unit(n, qn, d, seed=6), _unit(n, nv, d, seed=7)
    s = torch.rand(n, qn, nv, generator=torch.Generator().manual_seed(8), dtype=F64)
    s = s / s.sum(-1, keepdim=True)
    loss_fn = InfoNCELoss(tau, gather=True, symmetric=False)
    loss, acc = loss_fn(q, key, targets=s)
    ref, ref_acc = former_region_contrast(q, key, s, tau)
    assert torch.equal(loss, ref) and torch.equal(acc, ref_acc)
    _assert_same(_grads(loss, q, key), _grads(ref, q, key))
    assert loss_fn.last_num_candidates == n * nv
    # the same loss as a dense soft-target cross-entropy over all N*Nv candidates
    dense = torch.zeros(n, qn, n, nv, dtype=F64)
    dense[torch.arange(n), :, torch.arange(n)] = s
    logits = q.flatten(0, 1) @ key.flatten(0, 1).t() / tau
    torch.testing.assert_close(loss, info_nce_logits_loss(logits, dense.flatten(2).flatten(0, 1)))


def test_grouped_one_hot_targets_are_hard_info_nce():
    """One key per sample and one-hot targets: the plain (N, D) InfoNCE."""
    q, k = _unit(5, 8, seed=9), _unit(5, 8, seed=10)
    loss_fn = InfoNCELoss(0.1, symmetric=False)
    hard, _ = loss_fn(q, k)
    soft, _ = loss_fn(q[:, None], k[:, None], targets=torch.ones(5, 1, 1, dtype=F64))
    torch.testing.assert_close(hard, soft)


def test_symmetric_equals_former_clip_nce():
    z = _unit(7, 2, 8, seed=11)
    loss, _ = InfoNCELoss(0.1, gather=True, symmetric=True)(z[:, 0], z[:, 1])
    ref = former_clip_nce(z, 0.1)
    torch.testing.assert_close(loss, ref, rtol=1e-14, atol=0)
    _assert_same(_grads(loss, z), _grads(ref, z))


@pytest.mark.parametrize('with_queue', [False, True])
def test_extra_negatives_match_brute_force(with_queue):
    n, a, d = 5, 3, 8
    q, k, negs = _unit(n, d, seed=12), _unit(n, d, seed=13), _unit(n, a, d, seed=14)
    queue = _unit(4, d, seed=15) if with_queue else None
    loss_fn = InfoNCELoss(0.2, symmetric=False)
    loss, _ = loss_fn(q, k, queue=queue, negatives=negs)
    assert float(loss) == pytest.approx(brute_force(q, k, 0.2, queue, negs), rel=1e-10)
    assert loss_fn.last_num_candidates == n + a + (4 if with_queue else 0)
    both, _ = InfoNCELoss(0.2, symmetric=True)(q, k, queue=queue, negatives=negs)
    ref = (brute_force(q, k, 0.2, queue, negs) + brute_force(k, q, 0.2, queue, negs)) / 2
    assert float(both) == pytest.approx(ref, rel=1e-10)
    with pytest.raises(ValueError, match='negatives'):  # (A, N, D): transpose first
        loss_fn(q, k, negatives=negs.transpose(0, 1))


def test_hard_and_soft_cross_entropy_agree():
    logits = torch.randn(4, 6, dtype=F64)
    hard = torch.tensor([1, 0, 5, 2])
    soft = F.one_hot(hard, 6).to(F64)
    torch.testing.assert_close(info_nce_logits_loss(logits, soft), F.cross_entropy(logits, hard))
    torch.testing.assert_close(
        soft_cross_entropy(F.log_softmax(logits, 1), soft), F.cross_entropy(logits, hard))


def test_similarities_and_argument_checks():
    q, k = torch.randn(3, 6), torch.randn(4, 6)
    assert torch.equal(DotSimilarity()(q, k), dot_similarity(q, k))
    torch.testing.assert_close(dot_similarity(q, k), q @ k.t())
    with pytest.raises(ValueError, match='shuffle distance'):
        ShuffleSimilarity(3)(q[None], k[None])
    with pytest.raises(ValueError, match='one-way'):
        InfoNCELoss(symmetric=True)(q[:, None], k[:3, None], targets=torch.ones(3, 1, 1))
    with pytest.raises(ValueError, match='grouped targets'):
        InfoNCELoss(symmetric=False)(q[:, None], k[:3, None], targets=torch.ones(3, 1))
    with pytest.raises(ValueError, match='differ'):
        InfoNCELoss()(q, k)


def test_permutation_table_is_the_former_one():
    for n in range(1, 6):
        assert permutations_table(n) == list(itertools.permutations(range(n)))
    assert permutations_table(3)[0] == (0, 1, 2)


def test_shuffles_draw_as_before():
    clips = torch.randn(6, 4, 5)
    new = shuffle_clips(clips, torch.Generator().manual_seed(3))
    old = former_shuffle_clips(clips, torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(new, old))
    torch.manual_seed(4)
    shuffled, perms, labels = permute_clips(clips)
    torch.manual_seed(4)
    ref_shuffled, ref_labels = former_vcop_draw(clips)
    assert torch.equal(shuffled, ref_shuffled) and torch.equal(labels, ref_labels)
    assert torch.equal(perms, torch.tensor(permutations_table(4))[labels])
    with pytest.raises(ValueError):
        shuffle_clips(clips[:, :1])
    assert permute_clips(clips[:, :1])[2].eq(0).all()  # K = 1: only the identity


# ---------------------------------------------------------------------- 2 ranks
WORLD, B = 2, 3


def _case_gathered_forms(rank, world):
    """Extra negatives + queue (N, D), and position-wise with a queue, gathered."""
    n = WORLD * B
    q, k = local_rows(_unit(n, 8, seed=20), rank,
                      world), local_rows(_unit(n, 8, seed=21), rank, world)
    negs = local_rows(_unit(n, 2, 8, seed=22), rank, world)
    qp, kp = local_rows(_unit(n, 3, 8, seed=23), rank, world), \
        local_rows(_unit(n, 3, 8, seed=24), rank, world)
    leaves = [x.detach().requires_grad_(True) for x in (q, k, negs, qp, kp)]
    q, k, negs, qp, kp = leaves
    loss_fn = InfoNCELoss(0.2, gather=True, symmetric=True)
    loss = loss_fn(q, k, queue=_unit(4, 8, seed=25).detach(), negatives=negs)[0] + \
        loss_fn(qp, kp, queue=_unit(4, 3, 8, seed=26).detach())[0]
    loss.backward()
    return [x.grad.clone() for x in leaves], float(loss)


@pytest.mark.slow
def test_gathered_forms_on_two_ranks_equal_one_process():
    one = _case_gathered_forms(0, 1)
    ranks = run_on_ranks(_case_gathered_forms, world=WORLD)
    for i in range(5):  # DDP averages: per-rank gradient / W == rows of the global one
        got = torch.cat([r[0][i] for r in ranks]) / WORLD
        assert rel_error(got, one[0][i]) < 1e-9
    assert sum(r[1] for r in ranks) / WORLD == pytest.approx(one[1], rel=1e-12)
