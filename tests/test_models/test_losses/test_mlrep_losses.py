"""mlrep's loss functions (``models/losses``: graph_constraint, swapped_prediction,
temporal_contrast) against the per-view formulas MLRep used inline before they moved,
written out here, and the whole ``MLRep.loss`` against that inline objective on one model
(float64: equal to rounding)."""
import math

import pytest
import torch
import torch.nn.functional as F

from tests.test_models.mlrep_tiny import tiny_mlrep
from vssl_mm.models.algorithms.mlrep import LEVELS, MLRep, temporal_transform
from vssl_mm.models.losses import (cross_view_instance_loss, cross_view_log_similarity,
                                   cross_view_logits, graph_targets, instance_graph_log_weights,
                                   sinkhorn_targets, swapped_prediction_loss,
                                   timestamp_retrieval_loss, transformed_copy_contrast_loss)
from vssl_mm.models.necks.projection import pool_features
from vssl_mm.models.utils.sinkhorn import distributed_sinkhorn

TAU = 0.07
MASKED = -1e4


# ------------------------------------------------------------ the former inline formulas
def ref_logits(q, k1, k2, diag, tau):
    """``(B, D)`` against ``k1, k2 (M, D)`` -> ``(B, 2, M)``, own entries masked."""
    logits = torch.stack([q @ k1.t(), q @ k2.t()], dim=1) / tau
    own = torch.zeros(q.shape[0], k1.shape[0], dtype=torch.bool)
    own[torch.arange(q.shape[0]), diag] = True
    return logits.masked_fill(own[:, None], MASKED)


def ref_log_similarity(qa, z1, z2, k1, k2, diag, tau):
    other = torch.logsumexp(ref_logits(qa, k1, k2, diag, tau), dim=1)
    pos = (z1 * z2).sum(dim=1) / tau
    return torch.where(F.one_hot(diag, k1.shape[0]).bool(), pos[:, None], other)


def ref_log_w(z1, z2, k1, k2, diag, tau):
    both = torch.stack([ref_logits(z1, k1, k2, diag, tau),
                        ref_logits(z2, k1, k2, diag, tau)],
                       dim=1)
    other = torch.logsumexp(both.flatten(1, 2), dim=1) - math.log(4.0)
    pos = (z1 * z2).sum(dim=1) / tau
    return torch.where(F.one_hot(diag, k1.shape[0]).bool(), pos[:, None], other)


def ref_aug_loss(q, aug, diag, tau, batch_negatives):
    k1, k2 = q[:, 0], q[:, 1]  # one process: the gathered batch is the local one
    pos = (q[:, 0] * q[:, 1]).sum(dim=1, keepdim=True) / tau
    losses, accs = [], []
    for a in range(2):
        parts = [pos, torch.einsum('bd,kbd->bk', q[:, a], aug[:, :, a]) / tau]
        if batch_negatives:
            parts.append(ref_logits(q[:, a], k1, k2, diag, tau).flatten(1))
        logits = torch.cat(parts, dim=1)
        losses.append(F.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long)))
        accs.append((logits.argmax(dim=1) == 0).float().mean())
    return sum(losses) / 2, sum(accs) / 2


def _z(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=g, dtype=torch.float64), dim=-1)


# ------------------------------------------------------------ functions
@pytest.mark.parametrize('offset', [0, 3])
def test_similarities_and_graph_match_former_formulas(offset):
    zall = _z(7, 2, 8, seed=1)
    z = zall[offset:offset + 3]
    diag = torch.arange(3) + offset  # the local rows of a gathered batch
    log_sim = cross_view_log_similarity(z, zall, diag, TAU)
    assert log_sim.shape == (3, 2, 7)
    for a in range(2):
        torch.testing.assert_close(
            log_sim[:, a],
            ref_log_similarity(z[:, a], z[:, 0], z[:, 1], zall[:, 0], zall[:, 1], diag, TAU))
    log_w = instance_graph_log_weights(z, zall, diag, TAU)
    torch.testing.assert_close(log_w, ref_log_w(z[:, 0], z[:, 1], zall[:, 0], zall[:, 1], diag,
                                                TAU))
    logits = cross_view_logits(z, zall, diag, TAU)  # (B, A, 2, M)
    for a in range(2):
        torch.testing.assert_close(logits[:, a],
                                   ref_logits(z[:, a], zall[:, 0], zall[:, 1], diag, TAU))
    # L_ins and L_mul: both views' cross-entropies averaged
    labels_all = torch.tensor([0, 1, 0, 1, 0, 0, 1])
    graph = graph_targets(log_w, labels_all[diag], labels_all, diag, eta=0.1).double()
    for targets in (diag, graph):
        ref = sum(-(F.one_hot(targets, 7).double() if targets.dim() == 1 else targets
                    ).mul(F.log_softmax(log_sim[:, a], dim=1)).sum(1).mean() for a in range(2)) / 2
        torch.testing.assert_close(cross_view_instance_loss(log_sim, targets), ref)


def test_swapped_prediction_matches_former_formula():
    scores = F.normalize(torch.randn(6, 2, 5, dtype=torch.float64), dim=-1)
    queued = F.normalize(torch.randn(4, 2, 5, dtype=torch.float64), dim=-1)
    for q in (None, queued):
        targets = sinkhorn_targets(scores, 0.05, 3, q)
        for a in range(2):
            ref = distributed_sinkhorn(scores[:, a], 0.05, 3, shared=None if q is None else q[:, a])
            torch.testing.assert_close(targets[:, a], ref)
        logp = F.log_softmax(scores / 0.1, dim=2)
        ref = -0.5 * ((targets[:, 0] * logp[:, 1]).sum(1) +
                      (targets[:, 1] * logp[:, 0]).sum(1)).mean()
        torch.testing.assert_close(swapped_prediction_loss(scores, targets, 0.1), ref)


@pytest.mark.parametrize('batch_negatives', [True, False])
def test_temporal_terms_match_former_formulas(batch_negatives):
    q, aug = _z(4, 2, 8, seed=2), _z(2, 4, 2, 8, seed=3)
    diag = torch.arange(4)
    loss, acc = transformed_copy_contrast_loss(q, aug, TAU, q if batch_negatives else None, diag)
    ref_loss, ref_acc = ref_aug_loss(q, aug, diag, TAU, batch_negatives)
    torch.testing.assert_close(loss, ref_loss)
    torch.testing.assert_close(acc, ref_acc.to(acc))
    short, long = _z(3, 4, 8, seed=4), _z(3, 4, 8, seed=5)
    loss, acc = timestamp_retrieval_loss(short, long, TAU)
    ref = 0.0
    for i in range(3):  # per sample and token, both directions
        sim = short[i] @ long[i].t() / TAU
        for k in range(4):
            ref -= (F.log_softmax(sim[k], 0)[k] + F.log_softmax(sim[:, k], 0)[k]) / 24
    torch.testing.assert_close(loss, ref)


# ------------------------------------------------------------ the whole objective
def _model(**kw):
    torch.manual_seed(0)
    return tiny_mlrep(**{'mul_on': True, 'queue_on': True, **kw}).double()


def former_objective(model, x):
    """``MLRep.loss`` as it was written inline (one process), on the model's modules."""
    n, w, tau = x.shape[0], model.loss_weights, model.tau
    head = model.proto_head
    feats = dict(zip(LEVELS, model.extract_views(x, views=(0, 1, 2))[-3:]))
    diag = torch.arange(n)
    out = {}
    z = head.project(pool_features(feats['high'][:, :2].flatten(0, 1), 'avg')).view(n, 2, -1)
    k1, k2 = z[:, 0], z[:, 1]
    logh_high = [ref_log_similarity(z[:, a], k1, k2, k1, k2, diag, tau) for a in range(2)]
    out['loss_ins'] = w['ins'] * sum(F.cross_entropy(lh, diag) for lh in logh_high) / 2
    head.normalize_prototypes()
    scores = head.prototypes(z.flatten(0, 1)).view(n, 2, -1)
    filled = int(head.queue_filled)
    queued = head.queue.queue[:filled].view(filled, 2, -1) if filled else None
    targets = torch.stack([
        distributed_sinkhorn(
            scores[:, a].detach(),
            model.sinkhorn_eps,
            model.sinkhorn_iters,
            shared=None if queued is None else queued[:, a]) for a in range(2)
    ],
                          dim=1)
    logp = F.log_softmax(scores / model.proto_tau, dim=2)
    out['loss_proto'] = w['proto'] * -0.5 * ((targets[:, 0] * logp[:, 1]).sum(1) +
                                             (targets[:, 1] * logp[:, 0]).sum(1)).mean()
    head.enqueue(scores.detach())
    with torch.no_grad():
        labels = (targets[:, 0] + targets[:, 1]).argmax(dim=1)
        log_w = ref_log_w(z[:, 0], z[:, 1], k1, k2, diag, tau)
        graph = graph_targets(log_w, labels, labels, diag, model.eta, model.graph)
    for lv in LEVELS:
        logh = logh_high
        if lv != 'high':
            zr = F.normalize(
                model.level_proj[lv](pool_features(feats[lv][:, :2].flatten(0, 1), 'avg')),
                dim=1).view(n, 2, -1)
            logh = [
                ref_log_similarity(zr[:, a], zr[:, 0], zr[:, 1], zr[:, 0], zr[:, 1], diag, tau)
                for a in range(2)
            ]
        out[f'loss_mul_{lv}'] = w[f'mul_{lv}'] * sum(
            -(graph * F.log_softmax(lh, dim=1)).sum(1).mean() for lh in logh) / 2
    for lv, th in model.temporal_heads.items():
        short = feats[lv][:, :2].flatten(0, 1)
        extra = [temporal_transform(short, 'reverse')] if w.get(f'aug_{lv}', 0) > 0 else []
        pooled = th.pooled(torch.cat([short, feats[lv][:, 2]] + extra))
        if extra:
            q = th.project_vector(pooled[:2 * n]).view(n, 2, -1)
            aug = th.project_vector(pooled[3 * n:]).view(-1, n, 2, q.shape[-1])
            out[f'loss_aug_{lv}'] = w[f'aug_{lv}'] * ref_aug_loss(q, aug, diag, tau, True)[0]
        t = model.num_tokens[lv]
        s_tok = th.project_tokens(pooled[:2 * n], t // 2).view(n, t, -1)
        l_tok = th.project_tokens(pooled[2 * n:3 * n], t)
        logits = torch.einsum('bkd,bld->bkl', s_tok, l_tok) / tau
        labels = torch.arange(t).repeat(n)
        out[f'loss_ret_{lv}'] = w[f'ret_{lv}'] * (F.cross_entropy(logits.flatten(
            0, 1), labels) + F.cross_entropy(logits.transpose(1, 2).flatten(0, 1), labels)) / 2
    return out


def test_model_loss_matches_former_inline_objective():
    """Two steps (the second reads the queue the first filled), losses and gradients."""
    x = torch.randn(
        4, 3, 3, 8, 32, 32, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    new, old = _model(), _model()
    for step in range(2):
        grads = []
        for model, fn in ((new, MLRep.loss), (old, former_objective)):
            model.zero_grad()
            out = {k: v for k, v in fn(model, x).items() if k.startswith('loss_')}
            sum(out.values()).backward()
            grads.append((out, {
                n: p.grad.clone()
                for n, p in model.named_parameters() if p.grad is not None
            }))
        (out_new, g_new), (out_old, g_old) = grads
        assert out_new.keys() == out_old.keys()
        for k in out_old:
            torch.testing.assert_close(out_new[k], out_old[k], rtol=1e-10, atol=1e-12)
        assert g_new.keys() == g_old.keys()
        for k in g_old:
            torch.testing.assert_close(g_new[k], g_old[k], rtol=1e-9, atol=1e-12)
        for name, buf in old.named_buffers():
            torch.testing.assert_close(dict(new.named_buffers())[name], buf)
    assert int(new.queue_filled) == 8


def test_heads_built_from_config_overrides():
    model = _model(
        proto_head=dict(loss=dict(temperature=0.2)),
        temporal_head=dict(batch_negatives=False),
        level_neck=dict(num_layers=1))
    assert model.proto_tau == 0.2 and model.sinkhorn_eps == 0.05
    assert all(not h.batch_negatives for h in model.temporal_heads.values())
    assert type(model.proto_head).__name__ == 'PrototypeHead'
    assert len(model.level_proj['low'].mlp) == 1
