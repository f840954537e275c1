"""HDC objective against brute-force loops (Eq. 4, 5) and the HD-NCE weighting (Eq. 6)."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

import vssl_mm  # noqa: F401
from tests.conftest import REPO
from vssl_mm.registry import MODELS

TAU = 0.07


def _cos(a, b):
    return float((a * b).sum() / (a.norm() * b.norm()))


def ref_nce(q, k):
    """Eq. 1/3 by loops: q, k lists of B vectors; mean over i of -log softmax."""
    total = 0.
    for i in range(len(q)):
        num = math.exp(_cos(q[i], k[i]) / TAU)
        den = sum(math.exp(_cos(q[i], k[j]) / TAU) for j in range(len(k)))
        total += -math.log(num / den)
    return total / len(q)


def ref_sc(v_o, v_s):
    """Eq. 4 by loops: ``(B, N, D)`` per-position vectors, mean over positions n."""
    n_pos = v_o.shape[1]
    return sum(ref_nce(list(v_o[:, n]), list(v_s[:, n])) for n in range(n_pos)) / n_pos


def _model(sc=(0.25, 0.5, 1.0), tc=(0.25, 0.5, 1.0), **kw):
    cfg = Config.fromfile(osp.join(REPO, 'configs/hdc/r3d18_synthetic.py'))
    cfg.model.sc_weights, cfg.model.tc_weights = sc, tc
    cfg.model.backbone.base_channels = 8
    cfg.model.head.in_channels = (16, 32, 64)
    cfg.model.update(kw)
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


@pytest.mark.parametrize('symmetric', [False, True])
def test_contrast_equals_loops(symmetric):
    model = _model(loss=dict(type='InfoNCELoss', temperature=TAU, gather=True, symmetric=symmetric))
    g = torch.Generator().manual_seed(1)
    q, k = torch.randn(5, 3, 7, generator=g), torch.randn(5, 3, 7, generator=g)
    loss, _ = model.contrast(F.normalize(q, dim=-1), F.normalize(k, dim=-1))
    ref = ref_sc(q, k)
    if symmetric:
        ref = (ref + ref_sc(k, q)) / 2
    assert abs(float(loss) - ref) < 1e-4
    if not symmetric:  # one position (P = 1) is Eq. 5 / Eq. 3
        loss1, _ = model.contrast(F.normalize(q[:, :1], dim=-1), F.normalize(k[:, :1], dim=-1))
        assert abs(float(loss1) - ref_nce(list(q[:, 0]), list(k[:, 0]))) < 1e-4


def test_hd_nce_matches_brute_force():
    """Every logged term is alpha_k L_s^k / beta_k L_t^k recomputed by loops from the raw
    backbone maps; the total is Eq. 6."""
    sc, tc = (0.25, 0.5, 1.0), (0.3, 0.0, 2.0)
    model = _model(sc, tc)
    x = torch.randn(4, 3, 3, 8, 64, 64, generator=torch.Generator().manual_seed(2))
    losses = model.loss(x)
    assert set(k for k in losses if k.startswith('loss')) == {
        'loss_sc_3', 'loss_sc_4', 'loss_sc_5', 'loss_tc_3', 'loss_tc_5'
    }
    assert float(losses['num_negatives']) == 3
    with torch.no_grad():
        feats = [model.backbone(x[:, v]) for v in range(3)]  # per view, per stage
        total = 0.
        for s, k in enumerate((3, 4, 5)):
            fo, fs, ft = (f[s] for f in feats)
            so = model.head(fo.mean((3, 4)).transpose(1, 2), 'o', k)  # (B, T, D)
            if sc[s]:
                ss = model.head(fs.mean((3, 4)).transpose(1, 2), 's', k)
                ref = sc[s] * ref_sc(so, ss)
                assert abs(float(losses[f'loss_sc_{k}']) - ref) < 1e-4 * max(1, ref)
                total += ref
            if tc[s]:
                go = model.head(fo.mean((2, 3, 4)), 'o', k)
                gt = model.head(ft.mean((2, 3, 4)), 't', k)
                ref = tc[s] * ref_nce(list(go), list(gt))
                assert abs(float(losses[f'loss_tc_{k}']) - ref) < 1e-4 * max(1, ref)
                total += ref
            else:
                assert not model.head.has('t', k)
    parsed, _ = model.parse_losses(losses)
    assert abs(float(parsed.detach()) - total) < 1e-4 * total


def test_weights_scale_terms_exactly():
    full = _model((1., 1., 1.), (1., 1., 1.))
    weighted = _model((0.25, 0.5, 1.), (0.25, 0.5, 1.))
    weighted.load_state_dict(full.state_dict())
    x = torch.randn(3, 3, 3, 8, 64, 64, generator=torch.Generator().manual_seed(3))
    a, b = full.loss(x), weighted.loss(x)
    for k, w in zip((3, 4, 5), (0.25, 0.5, 1.)):
        for branch in ('sc', 'tc'):
            torch.testing.assert_close(b[f'loss_{branch}_{k}'], w * a[f'loss_{branch}_{k}'])


def test_table1_rows_drop_terms_and_views():
    sc_only = _model((0, 0, 1), (0, 0, 0))
    assert sorted(sc_only.head.proj) == ['o5', 's5']
    x = torch.randn(2, 3, 3, 8, 64, 64)
    x[:, 2] = float('nan')  # u_t must not be used when there is no Temporal Contrast
    out = sc_only.loss(x)
    assert [k for k in out if k.startswith('loss')] == ['loss_sc_5']
    assert torch.isfinite(out['loss_sc_5'])
    tc_only = _model((0, 0, 0), (0, 0, 1))
    assert sorted(tc_only.head.proj) == ['o5', 't5']
    x = torch.randn(2, 3, 3, 8, 64, 64)
    x[:, 1] = float('nan')  # nor u_s without Spatial Contrast
    assert torch.isfinite(tc_only.loss(x)['loss_tc_5'])
    with pytest.raises(ValueError):
        _model((0, 0, 0), (0, 0, 0))


def test_gradients_reach_backbone_and_used_projections():
    model = _model()
    loss, _ = model.parse_losses(model.loss(torch.randn(2, 3, 3, 8, 64, 64)))
    loss.backward()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    for name, p in model.head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
