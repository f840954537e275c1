"""Distributed Sinkhorn-Knopp: marginals, a numpy reference, shared rows, two gloo ranks.

Convention: the returned (B, K) matrix has rows summing to exactly 1 (each sample's soft
target) and columns summing to ~B/K (equal partition; exact as iterations grow). This is
SwAV's K x B matrix with columns 1/B and rows 1/K, transposed and scaled by B.
"""
import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from tests.conftest import free_port
from vssl_mm.models.utils import distributed_sinkhorn


def numpy_sinkhorn(scores, eps=0.05, iters=3):
    q = np.exp(scores.astype(np.float64) / eps).T  # (K, B) as in SwAV
    k, b = q.shape
    q /= q.sum()
    for _ in range(iters):
        q /= q.sum(axis=1, keepdims=True)
        q /= k
        q /= q.sum(axis=0, keepdims=True)
        q /= b
    return (q * b).T


def test_marginals_and_reference():
    torch.manual_seed(0)
    scores = torch.nn.functional.normalize(torch.randn(24, 6), dim=1)  # cosines
    q = distributed_sinkhorn(scores, eps=0.05, num_iters=3)
    torch.testing.assert_close(q.sum(1), torch.ones(24))
    np.testing.assert_allclose(q.numpy(), numpy_sinkhorn(scores.numpy()), rtol=1e-5, atol=1e-6)
    col = q.sum(0)
    assert (col - 24 / 6).abs().max() < 0.5 * 24 / 6  # roughly equal after 3 iterations
    q100 = distributed_sinkhorn(scores, eps=0.05, num_iters=200)
    torch.testing.assert_close(q100.sum(0), torch.full((6, ), 4.0), rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(q100.sum(1), torch.ones(24))
    # equal partition differs from a plain softmax (which piles up on a few prototypes)
    soft = torch.softmax(scores / 0.05, dim=1)
    assert soft.sum(0).std() > 2 * q.sum(0).std()


def test_shared_rows_count_once():
    torch.manual_seed(1)
    local, shared = torch.randn(5, 7), torch.randn(9, 7)
    q, s = distributed_sinkhorn(local, shared=shared, return_shared=True)
    full = distributed_sinkhorn(torch.cat([local, shared]))
    torch.testing.assert_close(q, full[:5])
    torch.testing.assert_close(s, full[5:])


def _worker(rank, world, port, chunks, shared, out):
    import torch.distributed as dist
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
    q = distributed_sinkhorn(
        torch.from_numpy(chunks[rank]), eps=0.05, num_iters=3, shared=torch.from_numpy(shared))
    out.put((rank, q.numpy()))
    dist.barrier()
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_equal_single_process():
    rng = np.random.RandomState(0)
    scores = rng.randn(8, 5).astype(np.float32)
    shared = rng.randn(4, 5).astype(np.float32)
    ctx = mp.get_context('spawn')
    out = ctx.Queue()
    port = free_port()
    procs = [
        ctx.Process(target=_worker, args=(r, 2, port, [scores[:4], scores[4:]], shared, out))
        for r in range(2)
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in range(2))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    single = distributed_sinkhorn(torch.from_numpy(np.concatenate([scores, shared])))
    np.testing.assert_allclose(
        np.concatenate([results[0], results[1]]), single[:8].numpy(), rtol=1e-5, atol=1e-6)
    # and not the per-rank result (the reductions did cross ranks)
    alone = distributed_sinkhorn(torch.from_numpy(np.concatenate([scores[:4], shared])))
    assert not np.allclose(results[0], alone[:4].numpy(), atol=1e-4)
