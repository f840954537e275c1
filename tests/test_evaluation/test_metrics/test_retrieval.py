"""RetrievalMetric against a brute-force reference, and its distributed gathering."""
import os
import socket

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from vssl_mm.evaluation import RetrievalMetric, recall_at_k


def brute_force(q, ql, g, gl, ks, center=False):
    q, g = q.double().numpy(), g.double().numpy()
    if center:
        m = g.mean(0)
        q, g = q - m, g - m
    out = {}
    for k in ks:
        hits = 0
        for i in range(len(q)):
            sims = [
                float(q[i] @ g[j] / np.linalg.norm(q[i]) / np.linalg.norm(g[j]))
                for j in range(len(g))
            ]
            order = sorted(range(len(g)), key=lambda j: -sims[j])[:k]
            hits += any(int(gl[j]) == int(ql[i]) for j in order)
        out[f'R@{k}'] = 100.0 * hits / len(q)
    return out


def _samples(feats, labels, split, start_idx):
    out = []
    for i, (f, lab) in enumerate(zip(feats, labels)):
        out.append(
            dict(
                features=f,
                gt_label=torch.tensor([int(lab)]),
                retrieval_split=split,
                sample_idx=start_idx + i))
    return out


def _data(seed=0, nq=13, ng=40, d=16, v=3, ncls=5):
    g = torch.Generator().manual_seed(seed)
    gf = torch.randn(ng, v, d, generator=g) + 0.3
    gl = torch.randint(0, ncls, (ng, ), generator=g)
    qf = torch.randn(nq, v, d, generator=g) + 0.3
    ql = torch.randint(0, ncls, (nq, ), generator=g)
    return gf, gl, qf, ql


@pytest.mark.parametrize('center', [False, True])
def test_metric_matches_brute_force(center):
    gf, gl, qf, ql = _data()
    ks = (1, 5, 10, 20, 50)
    metric = RetrievalMetric(topk=ks, center=center)
    samples = _samples(gf, gl, 'gallery', 0) + _samples(qf, ql, 'query', len(gf))
    metric.process(None, samples[:20])
    metric.process(None, samples[20:])
    got = metric.evaluate(len(samples))
    ref = brute_force(qf.mean(1), ql, gf.mean(1), gl, ks, center)
    assert ref['R@1'] < 100  # a non-trivial case
    for k in ks:
        assert got[f'retrieval/R@{k}'] == pytest.approx(ref[f'R@{k}'], abs=1e-6)


def test_known_labels_give_expected_recall():
    # two tight clusters; queries 0,1 sit on their own class, query 2 on the other one
    g = torch.tensor([[1., 0.], [1., .1], [0., 1.], [.1, 1.]])
    gl = torch.tensor([0, 0, 1, 1])
    q = torch.tensor([[1., .05], [0., 1.], [1., 0.]])
    ql = torch.tensor([0, 1, 1])
    r = recall_at_k(q, ql, g, gl, topk=(1, 2, 3, 50))
    assert r['R@1'] == pytest.approx(200 / 3)
    assert r['R@2'] == pytest.approx(200 / 3)
    assert r['R@3'] == pytest.approx(100.0) and r['R@50'] == pytest.approx(100.0)


def _free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _worker(rank, world, port, samples, ks, queue):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    # mmengine's DefaultSampler(shuffle=False): pad to a multiple of world, then stride
    n = len(samples)
    total = -(-n // world) * world
    idx = (list(range(n)) * 2)[:total][rank::world]
    metric = RetrievalMetric(topk=ks)
    for i in idx:
        metric.process(None, [samples[i]])
    res = metric.evaluate(n)
    if rank == 0:
        queue.put(res)
    dist.barrier()
    dist.destroy_process_group()


@pytest.mark.slow
def test_distributed_gather_drops_padding():
    gf, gl, qf, ql = _data(seed=3, nq=9, ng=20)  # 29 samples: 2 ranks pad 1 duplicate
    samples = _samples(gf, gl, 'gallery', 0) + _samples(qf, ql, 'query', len(gf))
    for s in samples:  # the second guard (sample_idx) is off: test the size cut alone
        s.pop('sample_idx')
    ks = (1, 5, 10)
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    mp.spawn(_worker, args=(2, _free_port(), samples, ks, queue), nprocs=2, join=True)
    got = queue.get(timeout=60)
    ref = brute_force(qf.mean(1), ql, gf.mean(1), gl, ks)
    for k in ks:
        assert got[f'retrieval/R@{k}'] == pytest.approx(ref[f'R@{k}'], abs=1e-6)


def test_padding_duplicates_counted_without_size_cut_are_removed_by_sample_idx():
    gf, gl, qf, ql = _data(seed=4, nq=5, ng=10)
    samples = _samples(gf, gl, 'gallery', 0) + _samples(qf, ql, 'query', len(gf))
    metric = RetrievalMetric(topk=(1, 5))
    results = []
    for s in samples + samples[-3:]:  # duplicated queries must not be counted twice
        metric.process(None, [s])
    results = metric.results
    got = metric.compute_metrics(results)
    ref = brute_force(qf.mean(1), ql, gf.mean(1), gl, (1, 5))
    assert got['R@1'] == pytest.approx(ref['R@1'])
