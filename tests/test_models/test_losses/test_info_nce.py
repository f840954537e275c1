"""InfoNCE against a brute-force reference; cross-rank gathers in a real gloo group.

That every gathered loss trains as one process on the global batch is tested in
``test_distributed_equivalence.py``."""
import math
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from vssl_mm.models.losses import InfoNCELoss, info_nce_logits_loss
from vssl_mm.models.utils import concat_all_gather, gather_with_grad, gather_with_local_grad


def _reference(q, k, tau, queue=None):
    total = 0.
    keys = k if queue is None else torch.cat([k, queue])
    for i in range(q.shape[0]):
        num = math.exp(float(q[i] @ k[i]) / tau)
        den = sum(math.exp(float(q[i] @ keys[j]) / tau) for j in range(keys.shape[0]))
        total += -math.log(num / den)
    return total / q.shape[0]


def test_info_nce_matches_brute_force():
    torch.manual_seed(0)
    q, k = F.normalize(torch.randn(5, 8), dim=1), F.normalize(torch.randn(5, 8), dim=1)
    queue = F.normalize(torch.randn(7, 8), dim=1)
    one_way = InfoNCELoss(temperature=0.2, symmetric=False)
    assert one_way(q, k)[0].item() == pytest.approx(_reference(q, k, 0.2), rel=1e-5)
    assert one_way(q, k, queue)[0].item() == pytest.approx(_reference(q, k, 0.2, queue), rel=1e-5)
    both = InfoNCELoss(temperature=0.2, symmetric=True)
    expect = (_reference(q, k, 0.2) + _reference(k, q, 0.2)) / 2
    assert both(q, k)[0].item() == pytest.approx(expect, rel=1e-5)
    assert one_way.last_num_candidates == 5 + 7


def test_input_forms_count_candidates_and_accuracy():
    """(N, D), position-wise (N, P, D) and grouped (N, Q, D) x (N, M, D) inputs: the
    candidates per query and the top-1 accuracy against a direct computation."""
    torch.manual_seed(1)
    q, k = F.normalize(torch.randn(4, 3, 8), dim=-1), F.normalize(torch.randn(4, 3, 8), dim=-1)
    loss_fn = InfoNCELoss(temperature=0.2, symmetric=False)
    _, acc = loss_fn(
        q,
        k,
        queue=F.normalize(torch.randn(5, 3, 8), dim=-1),
        negatives=F.normalize(torch.randn(4, 3, 2, 8), dim=-1))
    assert loss_fn.last_num_candidates == 4 + 5 + 2
    _, acc = loss_fn(q, k)
    expect = (torch.einsum('ipd,jpd->pij', q, k).argmax(-1) == torch.arange(4)).float().mean()
    assert acc == expect
    targets = torch.softmax(torch.randn(4, 3, 2), dim=-1)
    _, acc = loss_fn(q, k[:, :2], targets=targets)
    assert loss_fn.last_num_candidates == 4 * 2
    best = (q.flatten(0, 1) @ k[:, :2].flatten(0, 1).t()).argmax(-1).view(4, 3)
    expect = (best == torch.arange(4)[:, None] * 2 + targets.argmax(-1)).float().mean()
    assert acc == expect


def test_soft_targets_reduce_to_hard():
    logits = torch.randn(4, 6)
    hard = torch.tensor([1, 0, 5, 2])
    soft = F.one_hot(hard, 6).float()
    assert torch.allclose(info_nce_logits_loss(logits, hard), info_nce_logits_loss(logits, soft))


def _worker(rank, world, port, queue):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.manual_seed(100 + rank)
    x = torch.randn(3, 4, requires_grad=True)
    all_x = concat_all_gather(x)
    assert gather_with_local_grad is gather_with_grad  # the former name
    g = gather_with_grad(x)
    # rank r's loss weighs the gathered rows with (r + 1) * w
    (g * (rank + 1) * torch.arange(1., 1 + g.numel()).view_as(g)).sum().backward()
    # a loss over the global batch: every rank sees every rank's negatives
    loss_fn = InfoNCELoss(temperature=0.1, symmetric=False)
    q = F.normalize(torch.randn(3, 4), dim=1)
    loss_fn(q, F.normalize(x.detach(), dim=1))
    queue.put(
        (rank, x.detach().numpy(), all_x.numpy(), x.grad.numpy(), loss_fn.last_num_candidates))
    dist.barrier()
    dist.destroy_process_group()


@pytest.mark.slow
def test_gathers_across_two_gloo_ranks():
    from tests.conftest import free_port
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_worker, args=(r, 2, port, queue)) for r in range(2)]
    for p in procs:
        p.start()
    results = {}
    for _ in range(2):
        rank, x, all_x, grad, cands = queue.get(timeout=120)
        results[rank] = (torch.from_numpy(x), torch.from_numpy(all_x), torch.from_numpy(grad),
                         cands)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    x0, x1 = results[0][0], results[1][0]
    for rank in (0, 1):
        _, all_x, grad, cands = results[rank]
        assert torch.equal(all_x, torch.cat([x0, x1]))
        # the local slice's gradient sums every rank's: (1 + 2) * w of its rows
        weights = torch.arange(1., 25.).view(6, 4)
        assert torch.equal(grad, 3 * weights[rank * 3:(rank + 1) * 3])
        assert cands == 6  # 2 ranks x 3 keys
