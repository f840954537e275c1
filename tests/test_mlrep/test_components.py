"""mlrep components against hand examples and brute-force loops."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vssl_mm.models.algorithms.mlrep import MLRep, temporal_transform
from vssl_mm.models.heads.motion_excitation import MotionExcitation
from vssl_mm.models.losses import (cross_view_log_similarity, graph_targets,
                                   instance_graph_log_weights, sinkhorn_targets,
                                   swapped_prediction_loss, timestamp_retrieval_loss,
                                   transformed_copy_contrast_loss)

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


def test_swapped_prediction_brute_force():
    torch.manual_seed(0)
    model = _tiny_model(queue_length=0)
    scores = torch.randn(4, 2, model.num_prototypes)
    targets = sinkhorn_targets(scores, model.sinkhorn_eps, model.sinkhorn_iters)
    loss = swapped_prediction_loss(scores, targets, 0.1)
    ref = 0.0
    for i in range(4):
        for k in range(model.num_prototypes):
            p1 = math.exp(scores[i, 0, k] / 0.1) / sum(
                math.exp(scores[i, 0, c] / 0.1) for c in range(model.num_prototypes))
            p2 = math.exp(scores[i, 1, k] / 0.1) / sum(
                math.exp(scores[i, 1, c] / 0.1) for c in range(model.num_prototypes))
            ref -= 0.5 * (
                float(targets[i, 0, k]) * math.log(p2) + float(targets[i, 1, k]) * math.log(p1))
    assert math.isclose(float(loss), ref / 4, rel_tol=1e-4)
    # the head: unit prototypes, Sinkhorn targets of the scores, the same loss
    z = F.normalize(torch.randn(4, 2, 8), dim=2)
    head_loss, head_targets = model.proto_head.loss(z, use_queue=model.queue_on)
    scores = model.proto_head(z).detach()
    torch.testing.assert_close(head_targets,
                               sinkhorn_targets(scores, model.sinkhorn_eps, model.sinkhorn_iters))
    torch.testing.assert_close(head_loss, swapped_prediction_loss(scores, head_targets, 0.1))


def test_me_module_direct_computation_and_zero_pad():
    torch.manual_seed(0)
    me = MotionExcitation(32, reduction=16).eval()
    x = torch.randn(2, 32, 4, 5, 5)
    y = me(x)
    assert y.shape == x.shape
    d = me.motion(x)
    assert d.shape == (2, 2, 4, 5, 5)
    assert torch.count_nonzero(d[:, :, -1]) == 0  # zero-padded last step
    xr = me.reduce_bn(me.reduce(x))
    for t in range(3):
        torch.testing.assert_close(d[:, :, t], me.dwconv(xr[:, :, t + 1]) - xr[:, :, t])
    m = me.expand_bn(me.expand(d.mean(dim=(3, 4), keepdim=True)))
    torch.testing.assert_close(y, x + x * (torch.sigmoid(m) - 0.5))
    assert not torch.allclose(y, x)


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


def _tiny_model(**kw):
    cfg = dict(
        backbone=dict(
            type='ResNet3dSSL',
            depth=18,
            base_channels=8,
            conv1_kernel=(3, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            spatial_strides=(1, 2, 2, 2),
            temporal_strides=(1, 2, 2, 1),
            with_pool2=False,
            out_indices=(1, 2, 3)),
        level_channels=(16, 32, 64),
        proj_channels=8,
        num_prototypes=6,
        queue_length=8,
        num_tokens=(4, 2, 2),
        me_reduction=4)
    cfg.update(kw)
    return MLRep(**cfg)


def test_loss_terms_and_stage_flag():
    torch.manual_seed(0)
    model = _tiny_model()
    x = torch.randn(4, 3, 3, 8, 32, 32)
    out = model.loss(x)
    for k in ('loss_ins', 'loss_proto', 'loss_mul_high', 'loss_mul_mid', 'loss_mul_low',
              'loss_aug_mid', 'loss_aug_low', 'loss_ret_high', 'loss_ret_mid', 'loss_ret_low'):
        assert k in out and torch.isfinite(out[k])
    assert out['loss_mul_low'] == 0  # first stage
    model.set_stage(mul_on=True, queue_on=True)
    out = model.loss(x)
    assert out['loss_mul_low'] > 0 and out['mul_on'] == 1
    sum(v for k, v in out.items() if k.startswith('loss')).backward()
    assert model.level_proj['low'].mlp[0].weight.grad.abs().sum() > 0
    assert model.queue_filled.item() == 8 and model.proto_head.queue.ptr.item() == 0
    with pytest.raises(ValueError):
        _tiny_model(loss_weights=dict(nope=1.0))


def test_queue_saved_and_restored_through_checkpoint(tmp_path):
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    model = _tiny_model()
    model.set_stage(mul_on=True, queue_on=True)
    model.loss(torch.randn(4, 3, 3, 8, 32, 32))
    assert model.proto_head.queue.queue.abs().sum() > 0 and model.queue_filled.item() == 4
    path = str(tmp_path / 'ckpt.pth')
    save_checkpoint(dict(state_dict=model.state_dict()), path)
    other = _tiny_model()
    load_checkpoint(other, path, map_location='cpu', strict=True)
    for name in ('proto_head.queue.queue', 'proto_head.queue.ptr', 'proto_head.queue_filled',
                 'mul_on', 'queue_on', 'proto_head.prototypes.weight'):
        torch.testing.assert_close(other.state_dict()[name], model.state_dict()[name])
    assert other.mul_on.item() == 1 and other.proto_head.queue.ptr.item() == 4
    # a checkpoint from before the queue moved into the head (proto_queue.*, queue_filled)
    renamed = {
        'proto_head.queue.queue': 'proto_queue.queue',
        'proto_head.queue.ptr': 'proto_queue.ptr',
        'proto_head.queue_filled': 'queue_filled'
    }
    old = {renamed.get(k, k): v for k, v in model.state_dict().items()}
    save_checkpoint(dict(state_dict=old), path)
    third = _tiny_model()
    load_checkpoint(third, path, map_location='cpu', strict=True)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(third.state_dict()[name], value)
