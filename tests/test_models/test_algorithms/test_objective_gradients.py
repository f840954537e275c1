"""Tests that would catch a broken objective (issue 23, point 6).

For seg_order_rate, hdc, mlrep and ctrl_aug, built from their ``*_synthetic.py`` configs
with shrunk widths and clips (tensors as inputs, no decoding):

- every ``loss_<term>`` of ``model.loss`` *alone* back-propagates a finite, non-zero
  gradient into the backbone, down to its stem (a term that is computed but detached, or
  whose features never reach the encoder, fails), through the features of exactly the
  views the term reads (a detached key / positive, or a wrong view, fails); the set of
  terms is exactly the config's non-zero ones, and a term weighted 0 is absent or gives
  an exact zero gradient (mlrep's L_mul before its stage too);
- mlrep's ``loss_proto`` from ``MLRep.loss`` (both stages of ``MLRepStageHook``: queue
  off, then on) equals a brute-force recomputation (Sinkhorn by SwAV's algorithm, the
  swapped prediction by loops) from the same backbone features and prototypes, and its
  gradient reaches the prototypes and the backbone with the targets held constant;
- ctrl_aug's gradient reversal is checked inside ``CtrlAug``: the gradient ``loss_mi``
  sends into the backbone's outputs (and so its parameters) is ``-grl_scale`` times that
  of the same MINE bound without reversal, the critic's is not reversed, and
  ``loss_mi_lg`` is not reversed at all;
- ctrl_aug's region contrast with a local map of 2x2x2 cells (global 8x2x2) equals a
  brute-force loop over cells, with the correspondence ``S`` recomputed from the recorded
  crop / flip / time parameters tube by tube.
"""
import copy
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope

import vssl_mm  # noqa: F401
from tests.conftest import REPO
from tests.test_models.test_algorithms.test_ctrl_aug import _batch as ctrl_batch
from tests.test_models.test_algorithms.test_seg_order_rate import _samples as sor_samples
from vssl_mm.registry import MODELS


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Small convolutions: one intra-op thread is faster, and much faster on a shared
    machine (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------- small models
def _build(config: str, edit) -> torch.nn.Module:
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    edit(cfg.model)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('vssl_mm'):  # mmaction2's Conv2plus1d too
        model = MODELS.build(cfg.model)
    model.train()
    return model


def _sor(edit=None):
    """seg_order_rate r21d_synthetic.py at base width 4 (32-d last stage)."""

    def shrink(m):
        m.backbone.base_channels = 4
        m.order_head.update(in_channels=32, hidden_channels=16)
        m.rate_head.update(in_channels=32)
        m.neck.update(in_channels=32, hidden_channels=32, out_channels=12)  # 12 % n == 0
        m.queue_len = 8
        if edit:
            edit(m)

    model = _build('seg_order_rate/r21d_synthetic.py', shrink)
    x = torch.randn(4, 2, 3, 8, 32, 32, generator=torch.Generator().manual_seed(1))
    return model, x, sor_samples(4)


def _hdc(edit=None):
    """hdc r3d18_synthetic.py at base width 8 (blocks 3, 4, 5: 16, 32, 64 channels)."""

    def shrink(m):
        m.backbone.base_channels = 8
        m.head.in_channels = (16, 32, 64)
        m.head.out_channels = 16
        if edit:
            edit(m)

    model = _build('hdc/r3d18_synthetic.py', shrink)
    x = torch.randn(4, 3, 3, 8, 64, 64, generator=torch.Generator().manual_seed(1))
    return model, x, None


def _mlrep(edit=None):
    """mlrep r3d18_synthetic.py at base width 8, K = 16 prototypes, queue of 8."""

    def shrink(m):
        m.backbone.base_channels = 8
        m.update(level_channels=(16, 32, 64), proj_channels=16, queue_length=8, me_reduction=4)
        if edit:
            edit(m)

    model = _build('mlrep/r3d18_synthetic.py', shrink)
    x = torch.randn(4, 3, 3, 8, 32, 32, generator=torch.Generator().manual_seed(1))
    return model, x, None


#: clips of 16 frames at 64x64: local map 2x2x2, global map 8x2x2 (larger than 1x1x1)
CTRL_T, CTRL_SIZE, CTRL_K = 16, 64, 3


def _ctrl(edit=None):
    """ctrl_aug r3d18_synthetic.py at base width 8 (64-d last stage), K = 3 clips."""

    def shrink(m):
        m.backbone.base_channels = 8
        m.projection.update(in_channels=64, hidden_channels=32, out_channels=16)
        m.critic.update(in_channels=64, hidden_channels=32)
        m.td_head.update(in_channels=64, hidden_channels=32, num_clips=CTRL_K)
        if edit:
            edit(m)

    model = _build('ctrl_aug/r3d18_synthetic.py', shrink)
    x, samples = ctrl_batch(n=4, k=CTRL_K, t=CTRL_T, size=CTRL_SIZE, seed=0)
    # flipped and unflipped views in the batch, global and local (levels: i % 2)
    for i, s in enumerate(samples):
        s.metainfo['ctrl_params']['flips'][:] = [(i + j) % 2 == 0 for j in range(CTRL_K + 1)]
    return model, x, samples


def _capture_backbone_outputs(model):
    """Forward hook keeping the output stages of every call of ``model.backbone``."""
    seen = []
    handle = model.backbone.register_forward_hook(
        lambda m, i, o: seen.append(tuple(o) if isinstance(o, (tuple, list)) else (o, )))
    return seen, handle


def _stem(backbone):
    """The first parameter of the backbone (its stem conv)."""
    return next(backbone.named_parameters())


def _grads(loss, params, retain=True):
    return torch.autograd.grad(loss, params, retain_graph=retain, allow_unused=True)


def _norm(grads) -> float:
    return math.sqrt(sum(float((g.double()**2).sum()) for g in grads if g is not None))


# ---------------------------------------------------------------------- every term alone
def _expected_terms(method, model):
    """``loss_<term>`` keys the (shrunk) synthetic config switches on."""
    if method == 'seg_order_rate':
        return {'loss_order', 'loss_rate', 'loss_contrast'}
    if method == 'hdc':
        return ({f'loss_sc_{k}'
                 for k, a in zip(model.scales, model.sc_weights) if a}
                | {f'loss_tc_{k}'
                   for k, b in zip(model.scales, model.tc_weights) if b})
    if method == 'mlrep':
        return {f'loss_{k}' for k, w in model.loss_weights.items() if w > 0}
    terms = {f'loss_{k}' for k in model.loss_weights}
    return terms | ({'loss_mi_lg'} if 'mi' in model.loss_weights else set())


SETUPS = dict(seg_order_rate=_sor, hdc=_hdc, mlrep=_mlrep, ctrl_aug=_ctrl)


def _view_slices(method, maps, n):
    """``{view: slice}`` of the backbone output(s) ``maps`` (one per backbone call).

    seg_order_rate: one call on the query clip (the key goes through the momentum copy);
    hdc / mlrep: one call on the views flattened ``(N, V)``; ctrl_aug: the local clips,
    then the global view (same weights)."""
    if method == 'seg_order_rate':
        return {'query': maps[0]}
    if method == 'ctrl_aug':
        return {'local': maps[0], 'global': maps[1]}
    names = ('o', 's', 't') if method == 'hdc' else ('short1', 'short2', 'long')
    f = maps[0]
    return {v: f.view(n, len(names), *f.shape[1:])[:, i] for i, v in enumerate(names)}


def _expected_views(method, term, bn_coupled=True):
    """The views whose backbone features each term is a function of."""
    if method == 'hdc':  # Eq. 4: u_o with u_s; Eq. 5: u_o with u_t
        return {'o', 's'} if term.startswith('loss_sc') else {'o', 't'}
    if method == 'mlrep':
        # Eq. 13 retrieves the long clip's tokens; Eq. 11-12 (L_aug) are on the short
        # clips, but their Motion Excitation block runs on [short, long, reversed] in one
        # batch, so its BN batch statistics carry the long clip's gradient too (see
        # test_mlrep_aug_and_ret_views_without_bn_coupling); the rest: short clips only
        coupled = bn_coupled and term.startswith('loss_aug')
        return ({'short1', 'short2', 'long'}
                if term.startswith('loss_ret') or coupled else {'short1', 'short2'})
    return {'query'} if method == 'seg_order_rate' else {'local', 'global'}


def _split(items, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(items[i:i + n])
        i += n
    return out


def _reached_views(method, seen, map_grads, n):
    """Views whose backbone features get a non-zero gradient, read on the deepest stage
    the term uses (on a shallower one, the path through the later stages mixes the
    views in the backbone's BN batch statistics)."""
    deepest = []
    for out, gs in zip(seen, _split(map_grads, [len(o) for o in seen])):
        used = [g for g in gs if g is not None]
        deepest.append(used[-1] if used else torch.zeros_like(out[-1]))
    return {v for v, g in _view_slices(method, deepest, n).items() if g.abs().max() > 0}


@pytest.mark.parametrize('method', sorted(SETUPS))
def test_each_term_alone_reaches_the_backbone_stem(method):
    """Each ``loss_<term>`` alone: finite non-zero gradient on the backbone's parameters,
    its stem included, through the feature maps of exactly the views it uses."""
    model, x, samples = SETUPS[method]()
    if method == 'mlrep':  # second stage of MLRepStageHook: L_mul and the queue on
        model.set_stage(mul_on=True, queue_on=True)
        # video 2 repeats video 0: the graph E (Eq. 9) gets an edge between them, so that
        # L_mul,high is not L_ins (with a one-hot E it is the same loss)
        x[2] = x[0]
    seen, handle = _capture_backbone_outputs(model)
    losses = model.loss(x, samples)
    handle.remove()
    if method == 'mlrep':
        assert float(losses['graph_edges']) > 1
        assert abs(float(losses['loss_mul_high'].detach() - losses['loss_ins'].detach())) > 0.1
    terms = sorted(k for k in losses if k.startswith('loss'))
    assert set(terms) == _expected_terms(method, model)
    named = [(n, p) for n, p in model.backbone.named_parameters() if p.requires_grad]
    stem = _stem(model.backbone)[0]
    maps = [f for out in seen for f in out]
    norms = {}
    for key in terms:
        assert losses[key].requires_grad, key
        grads = _grads(losses[key], [p for _, p in named] + maps)
        grads, map_grads = dict(zip([n for n, _ in named], grads)), grads[len(named):]
        assert all(torch.isfinite(g).all() for g in grads.values() if g is not None), key
        norms[key] = _norm(grads.values())
        assert norms[key] > 0, key
        # through the whole encoder: the stem moves by this term alone
        assert grads[stem] is not None and grads[stem].abs().max() > 0, (key, stem)
        # and through the features of every view the term uses, and of no other
        reached = _reached_views(method, seen, map_grads, x.shape[0])
        assert reached == _expected_views(method, key), (key, reached)
    print(f'{method} backbone grad norms: ' + ', '.join(f'{k} {v:.4g}' for k, v in norms.items()))
    # the momentum encoder (seg_order_rate's key branch) is not trained by any term
    if method == 'seg_order_rate':
        keys = [
            p for n, p in model.named_parameters() if n.startswith(('key_backbone.', 'key_neck.'))
        ]
        assert keys and not any(p.requires_grad for p in keys)


def test_mlrep_aug_and_ret_views_without_bn_coupling():
    """With the temporal heads' BN on fixed statistics, L_aug (Eq. 11-12) is a function of
    the two short clips only and L_ret (Eq. 13) of the short and the long clips."""
    model, x, _ = _mlrep()
    for m in model.temporal_heads.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.eval()
    seen, handle = _capture_backbone_outputs(model)
    losses = model.loss(x)
    handle.remove()
    maps = [f for out in seen for f in out]
    for key in ('loss_aug_low', 'loss_aug_mid', 'loss_ret_low', 'loss_ret_mid', 'loss_ret_high'):
        reached = _reached_views('mlrep', seen, _grads(losses[key], maps), x.shape[0])
        assert reached == _expected_views('mlrep', key, bn_coupled=False), (key, reached)


# ---------------------------------------------------------------------- zero weights
def _zero_sor_rate(m):
    m.rate_head.loss_weight = 0.


def _zero_hdc_sc4(m):
    m.sc_weights = (0.25, 0., 1.0)


def _zero_mlrep_aug_low(m):
    m.loss_weights = dict(aug_low=0.)


def _zero_ctrl_td(m):
    m.loss_weights = dict(rc=1., mi=1., td=0.)


@pytest.mark.parametrize('method, edit, zeroed', [
    ('seg_order_rate', _zero_sor_rate, 'loss_rate'),
    ('hdc', _zero_hdc_sc4, 'loss_sc_4'),
    ('mlrep', _zero_mlrep_aug_low, 'loss_aug_low'),
    ('ctrl_aug', _zero_ctrl_td, 'loss_td'),
])
def test_zero_weighted_term_is_absent_or_exactly_zero(method, edit, zeroed):
    model, x, samples = SETUPS[method](edit)
    losses = model.loss(x, samples)
    full = _expected_terms(method, SETUPS[method]()[0])
    terms = {k for k in losses if k.startswith('loss')}
    assert terms - {zeroed} == full - {zeroed}  # the other terms are all still there
    if zeroed in losses:
        assert float(losses[zeroed].detach()) == 0.0
        params = [p for p in model.parameters() if p.requires_grad]
        for g in _grads(losses[zeroed], params):
            assert g is None or (torch.isfinite(g).all() and not g.any()), zeroed


def test_mlrep_first_stage_mul_terms_are_zero_with_zero_gradient():
    """Before MLRepStageHook switches L_mul on, its terms are logged as exact zeros that
    move nothing (a NaN inside would show as a NaN gradient here); the other terms are
    those of the second stage, with the same values."""
    model, x, _ = _mlrep()
    first = model.loss(x)
    params = [p for p in model.parameters() if p.requires_grad]
    for lv in ('high', 'mid', 'low'):
        key = f'loss_mul_{lv}'
        assert float(first[key].detach()) == 0.0
        for g in _grads(first[key], params):
            assert g is None or (torch.isfinite(g).all() and not g.any()), key
    model.set_stage(mul_on=True, queue_on=False)
    second = model.loss(x)
    for lv, w in (('high', 1.0), ('mid', 0.5), ('low', 0.3)):
        assert float(second[f'loss_mul_{lv}'].detach()) > 0 and model.loss_weights[f'mul_{lv}'] == w
    for key in ('loss_ins', 'loss_aug_low', 'loss_ret_high'):
        torch.testing.assert_close(second[key], first[key])


# ---------------------------------------------------------------------- mlrep L_proto
def sinkhorn_reference(scores: np.ndarray, eps: float, iters: int) -> np.ndarray:
    """SwAV's Sinkhorn-Knopp on ``(M, K)`` scores: ``Q = exp(scores / eps)^T`` scaled to
    total 1, then ``iters`` times rows (prototypes) to ``1/K`` and columns (samples) to
    ``1/M``; returns ``M Q^T`` (each sample's row sums to 1)."""
    q = np.exp(scores.astype(np.float64) / eps).T
    q /= q.sum()
    k, m = q.shape
    for _ in range(iters):
        q /= q.sum(axis=1, keepdims=True)
        q /= k
        q /= q.sum(axis=0, keepdims=True)
        q /= m
    return (q * m).T


def _mlrep_scores(model, x):
    """Prototype scores ``(N, 2, K)`` recomputed from the backbone (same batch, so the
    same BN batch statistics as inside ``MLRep.loss``) and the unit prototypes."""
    n = x.shape[0]
    high = model.backbone(x.flatten(0, 1))[-1]
    high = high.view(n, 3, *high.shape[1:])[:, :2]  # the two short clips
    z = F.normalize(model.proto_head.projection(high.mean(dim=(3, 4, 5)).flatten(0, 1)), dim=1)
    protos = model.proto_head.prototypes.weight  # unit rows (checked by the caller)
    return (z @ protos.t()).view(n, 2, -1)


def _swapped_prediction_loops(scores: np.ndarray, targets: np.ndarray, tau: float) -> float:
    """Eq. 4 by loops: ``mean_i -1/2 sum_k (s^1_ik log p^2_ik + s^2_ik log p^1_ik)``."""
    n, _, k = scores.shape
    total = 0.0
    for i in range(n):
        logp = []
        for a in range(2):
            lse = math.log(sum(math.exp(scores[i, a, c] / tau) for c in range(k)))
            logp.append([scores[i, a, c] / tau - lse for c in range(k)])
        for c in range(k):
            total -= 0.5 * (targets[i, 0, c] * logp[1][c] + targets[i, 1, c] * logp[0][c])
    return total / n


def test_mlrep_loss_proto_through_model_loss_matches_brute_force():
    model, x1, _ = _mlrep()
    x2 = torch.randn(x1.shape, generator=torch.Generator().manual_seed(7))
    w = model.loss_weights['proto']
    eps, iters, tau = model.sinkhorn_eps, model.sinkhorn_iters, model.proto_tau
    assert w == 0.5 and model.num_prototypes == 16

    # stage 1 (epoch 0 of the synthetic config): no queue in Sinkhorn
    model.set_stage(mul_on=False, queue_on=False)
    protos = model.proto_head.prototypes.weight
    raw = protos.detach().clone()
    assert not torch.allclose(raw.norm(dim=1), torch.ones(len(raw)))
    out1 = model.loss(x1)
    # P is used with unit rows, renormalised without gradient (SwAV): the gradient is
    # that of z @ P^T with respect to the unit rows themselves
    torch.testing.assert_close(protos.detach(), F.normalize(raw, dim=1))
    with torch.no_grad():
        s1 = _mlrep_scores(model, x1).double().numpy()
    t1 = np.stack([sinkhorn_reference(s1[:, a], eps, iters) for a in range(2)], axis=1)
    ref1 = w * _swapped_prediction_loops(s1, t1, tau)
    assert math.isclose(
        float(out1['loss_proto'].detach()), ref1,
        rel_tol=1e-4), (float(out1['loss_proto'].detach()), ref1)

    # its gradient: targets constant, prediction through z (backbone) and P
    stem = _stem(model.backbone)[1]
    g_model = _grads(out1['loss_proto'], [protos, stem], retain=False)
    scores = _mlrep_scores(model, x1)
    logp = F.log_softmax(scores / tau, dim=2)
    tt = torch.from_numpy(t1).float()
    ref_t = w * -0.5 * ((tt[:, 0] * logp[:, 1]).sum(1) + (tt[:, 1] * logp[:, 0]).sum(1)).mean()
    g_ref = _grads(ref_t, [protos, stem], retain=False)
    for name, gm, gr in zip(('prototypes', 'backbone stem'), g_model, g_ref):
        assert gm is not None and gm.abs().max() > 0, name
        torch.testing.assert_close(gm, gr, rtol=1e-3, atol=1e-6 * float(gr.abs().max()))

    # stage 2: the queue holds stage 1's scores (both views) and joins Sinkhorn
    assert int(model.queue_filled) == 4
    model.set_stage(mul_on=True, queue_on=True)
    out2 = model.loss(x2)
    with torch.no_grad():
        s2 = _mlrep_scores(model, x2).double().numpy()
    t2 = np.stack([
        sinkhorn_reference(np.concatenate([s2[:, a], s1[:, a]]), eps, iters)[:len(s2)]
        for a in range(2)
    ],
                  axis=1)
    ref2 = w * _swapped_prediction_loops(s2, t2, tau)
    assert math.isclose(
        float(out2['loss_proto'].detach()), ref2,
        rel_tol=1e-4), (float(out2['loss_proto'].detach()), ref2)
    # the queue changes the targets, so the check above has power over its use
    t2_noq = np.stack([sinkhorn_reference(s2[:, a], eps, iters) for a in range(2)], 1)
    assert abs(w * _swapped_prediction_loops(s2, t2_noq, tau) - ref2) > 1e-3 * abs(ref2)


# ---------------------------------------------------------------------- ctrl_aug L_mi GRL
def _critic_score(critic, x, y):
    """G_theta([x, y]) of one pair, layer by layer (Eq. 5)."""
    return critic.fc_out(F.relu(critic.fc_x(x) + critic.fc_y(y))).squeeze(-1)


def _mine_by_loops(critic, local_vec, glob_vec, joint_pair, frozen_critic=False):
    """``mean_{joint} G - log mean_{marginal} exp G`` over (clip of video a, global of
    video b) pairs; marginal = every a != b, joint = ``joint_pair(a, b)``."""
    if frozen_critic:
        critic = copy.deepcopy(critic)
        for p in critic.parameters():
            p.requires_grad_(False)
    n, k = local_vec.shape[:2]
    joint, marginal = [], []
    for a in range(n):
        for c in range(k):
            for b in range(n):
                g = _critic_score(critic, local_vec[a, c], glob_vec[b])
                if joint_pair(a, b):
                    joint.append(g)
                if a != b:
                    marginal.append(g)
    return torch.stack(joint).mean() - torch.log(torch.stack(marginal).exp().mean())


@pytest.mark.parametrize('grl_scale', [None, 0.5])
def test_ctrl_aug_gradient_reversal_inside_model(grl_scale):

    def edit(m):
        if grl_scale is not None:
            m.grl_scale = grl_scale

    model, x, samples = _ctrl(edit)
    scale = model.grl_scale
    assert scale == (1.0 if grl_scale is None else grl_scale)
    seen, handle = _capture_backbone_outputs(model)
    losses = model.loss(x, samples)
    handle.remove()
    local_map, glob_map = (out[-1] for out in seen)  # f(v_k) for all clips, then f'(v)
    n, k = x.shape[:2]
    local_vec = local_map.mean(dim=(2, 3, 4)).view(n, k, -1)
    glob_vec = glob_map.mean(dim=(2, 3, 4))
    level = [int(s.metainfo['lowlevel_level']) for s in samples]
    w = model.loss_weights['mi']

    # (a) the estimator: -w I with joint = same level, other video
    mi = _mine_by_loops(model.critic, local_vec, glob_vec,
                        lambda a, b: a != b and level[a] == level[b])
    ref = -w * mi
    torch.testing.assert_close(losses['loss_mi'], ref)
    feats = [local_map, glob_map]
    critic = list(model.critic.parameters())
    backbone = [p for p in model.backbone.parameters() if p.requires_grad]
    g_model = _grads(losses['loss_mi'], feats + critic + backbone)
    g_ref = _grads(ref, feats + critic + backbone)
    nf, nc = len(feats), len(critic)
    for gm, gr in zip(g_model[:nf], g_ref[:nf]):  # the encoder's outputs: reversed
        assert gr.abs().max() > 0
        torch.testing.assert_close(gm, -scale * gr)
    for gm, gr in zip(g_model[nf:nf + nc], g_ref[nf:nf + nc]):  # the critic: not
        torch.testing.assert_close(gm, gr)
    gm_bb, gr_bb = g_model[nf + nc:], g_ref[nf + nc:]
    assert _norm(gr_bb) > 0
    for gm, gr in zip(gm_bb, gr_bb):  # every backbone parameter: reversed
        if gr is None:
            assert gm is None or not gm.any()
            continue
        torch.testing.assert_close(gm, -scale * gr, rtol=1e-4, atol=1e-4 * float(gr.abs().max()))

    # (b) the frozen critic on the video's own local-global pairs: +w I, not reversed,
    # theta untouched
    mi_lg = _mine_by_loops(
        model.critic, local_vec, glob_vec, lambda a, b: a == b, frozen_critic=True)
    torch.testing.assert_close(losses['loss_mi_lg'], w * mi_lg)
    g_lg = _grads(losses['loss_mi_lg'], feats + critic)
    g_lg_ref = _grads(w * mi_lg, feats)
    for gm, gr in zip(g_lg[:nf], g_lg_ref):
        assert gr.abs().max() > 0
        torch.testing.assert_close(gm, gr)
    assert all(g is None for g in g_lg[nf:])


# ---------------------------------------------------------------------- ctrl_aug L_rc
def _cells(lo, hi, n, flip=False):
    """``n`` equal parts of ``[lo, hi)``; part ``i`` of a flipped axis is ``n - 1 - i``."""
    parts = [(lo + (hi - lo) * i / n, lo + (hi - lo) * (i + 1) / n) for i in range(n)]
    return parts[::-1] if flip else parts


def _overlap(a, b):
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _tubes(window, box, flip, grid):
    """Raw-video tubes ``(t-interval, y-interval, x-interval)`` of a feature map's cells,
    ``(t, h, w)`` row-major; column ``w`` of a flipped view shows box part ``W-1-w``."""
    t, h, w = grid
    ts = _cells(float(window[0]), float(window[1]), t)
    ys = _cells(float(box[1]), float(box[3]), h)
    xs = _cells(float(box[0]), float(box[2]), w, bool(flip))
    return [(ti, yi, xi) for ti in ts for yi in ys for xi in xs]


def correspondence_by_tubes(params, local_grid, global_grid):
    """Eq. 1 tube by tube: ``S[k][i][j] = vol(local cell i ∩ global cell j) / vol(i)``."""
    glob = _tubes(params['global_window'], params['boxes'][0], params['flips'][0], global_grid)
    out = []
    for c, window in enumerate(params['local_windows']):
        rows = []
        for tube in _tubes(window, params['boxes'][c + 1], params['flips'][c + 1], local_grid):
            vol = np.prod([iv[1] - iv[0] for iv in tube])
            rows.append([np.prod([_overlap(a, b) for a, b in zip(tube, g)]) / vol for g in glob])
        out.append(rows)
    return np.array(out)  # (K, Nc, Nv)


def _cell_embedding(proj, vec):
    return F.normalize(proj.fc2(F.relu(proj.fc1(vec))), dim=0)


def region_contrast_by_loops(proj, local_map, glob_map, s, tau):
    """Eq. 3-4 by loops: every local cell ``(a, k, t, h, w)`` against every global cell
    of every video; soft target ``S`` on the own video's cells. Returns (loss, acc)."""
    n, k, _, tc, hc, wc = local_map.shape
    _, _, tv, hv, wv = glob_map.shape
    keys, owner = [], []
    for b in range(n):
        for t in range(tv):
            for y in range(hv):
                for x in range(wv):
                    keys.append(_cell_embedding(proj, glob_map[b, :, t, y, x]))
                    owner.append(b)
    keys = torch.stack(keys)  # (n * Nv, D)
    nv = tv * hv * wv
    total, hits, count = 0.0, 0, 0
    for a in range(n):
        for c in range(k):
            i = 0
            for t in range(tc):
                for y in range(hc):
                    for x in range(wc):
                        q = _cell_embedding(proj, local_map[a, c, :, t, y, x])
                        logits = (keys @ q).double() / tau
                        lse = float(torch.logsumexp(logits, 0))
                        row = s[a, c, i]
                        total -= sum(row[j] * (float(logits[a * nv + j]) - lse) for j in range(nv))
                        hits += int(int(logits.argmax()) == a * nv + int(np.argmax(row)))
                        count += 1
                        i += 1
    return total / count, hits / count


def test_ctrl_aug_region_contrast_larger_than_one_cell_matches_loops():
    model, x, samples = _ctrl(lambda m: setattr(m, 'loss_weights', dict(rc=1.)))
    seen, handle = _capture_backbone_outputs(model)
    losses = model.loss(x, samples)
    handle.remove()
    n, k = x.shape[:2]
    local_map = seen[0][-1].detach().view(n, k, *seen[0][-1].shape[1:])
    glob_map = seen[1][-1].detach()
    assert tuple(local_map.shape[-3:]) == (2, 2, 2)  # T, H, W > 1 each
    assert tuple(glob_map.shape[-3:]) == (8, 2, 2)
    params = [s.metainfo['ctrl_params'] for s in samples]
    flips = np.stack([p['flips'] for p in params])
    assert flips[:, 0].any() and not flips[:, 0].all()  # flipped / plain global views
    assert flips[:, 1:].any() and not flips[:, 1:].all()  # and local clips
    s = np.stack([correspondence_by_tubes(p, (2, 2, 2), (8, 2, 2)) for p in params])
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)  # local tubes inside the global
    # S is not trivial: cells of one clip spread over several global cells, differently
    assert ((s > 0).sum(-1) > 1).any() and len(
        {tuple(r.round(6))
         for r in s.reshape(-1, s.shape[-1])}) > n * k
    with torch.no_grad():
        ref, acc = region_contrast_by_loops(model.projection, local_map, glob_map, s,
                                            model.temperature)
    assert math.isclose(
        float(losses['loss_rc'].detach()), ref,
        rel_tol=1e-4), (float(losses['loss_rc'].detach()), ref)
    assert math.isclose(float(losses['acc_rc']), acc, abs_tol=1e-6)
    assert float(losses['rc_candidates']) == n * 8 * 2 * 2
    # the comparison has power: ignoring the flips, or reversing time, changes L_rc
    no_flip = [dict(p, flips=np.zeros_like(p['flips'])) for p in params]
    s_nf = np.stack([correspondence_by_tubes(p, (2, 2, 2), (8, 2, 2)) for p in no_flip])
    s_tr = s.reshape(n, k, 2, 4, -1)[:, :, ::-1].reshape(s.shape)
    with torch.no_grad():
        for other in (s_nf, s_tr):
            alt, _ = region_contrast_by_loops(model.projection, local_map, glob_map, other,
                                              model.temperature)
            assert abs(alt - ref) > 1e-3 * abs(ref)
