"""CtrlAug: shared-weight global branch, every loss term, configs build."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine import Config

from tests.conftest import REPO
from vssl_mm.datasets.transforms import CtrlAugCrop, CtrlAugSampler
from vssl_mm.registry import MODELS

ROOT = REPO


def _model(**kw):
    cfg = dict(
        type='CtrlAug',
        backbone=dict(type='ResNet3dSSL', depth=10, base_channels=8),
        global_temporal_strides=(1, 2, 1, 1),
        projection=dict(type='CellProjection', in_channels=64, hidden_channels=32, out_channels=16),
        critic=dict(type='MINECritic', in_channels=64, hidden_channels=32),
        td_head=dict(type='TemporalDependencyHead', kind='gru', in_channels=64, num_clips=3),
        loss_weights=dict(rc=1., mi=1., td=1.))
    cfg.update(kw)
    return MODELS.build(cfg)


def _batch(n=4, k=3, t=8, size=32, seed=0):
    np.random.seed(seed)
    torch.manual_seed(seed)
    samples = []
    for i in range(n):
        r = CtrlAugSampler(num_clips=k, clip_len=t, global_len=t)(dict(total_frames=64))
        r['views'] = [np.zeros((t, 48, 64, 3), np.uint8)] * (k + 1)
        r = CtrlAugCrop(out_size=size)(r)
        s = ActionDataSample()
        s.set_metainfo(
            dict(
                ctrl_params=r['ctrl_params'],
                lowlevel_level=i % 2,
                global_view=torch.randn(1, 3, t, size, size)))
        samples.append(s)
    return torch.randn(n, k, 3, t, size, size), samples


def test_global_branch_same_weights_higher_temporal_resolution():
    m = _model()
    x, samples = _batch()
    local, glob_ = m.encode(x, samples)
    assert local.shape == (4, 3, 64, 1, 1, 1)
    assert glob_.shape == (4, 64, 4, 1, 1)  # T_v = 4 > T_c = 1, same parameters
    assert not any('global' in n for n, _ in m.named_parameters())


def test_all_terms_and_gradients():
    m = _model()
    x, samples = _batch()
    losses = m.loss(x, samples)
    for key in ('loss_rc', 'loss_mi', 'loss_mi_lg', 'loss_td', 'acc_rc', 'mi_level', 'mi_lg',
                'mi_td', 'same_level_pairs'):
        assert key in losses, key
    assert torch.isfinite(sum(v for k, v in losses.items() if 'loss' in k))
    # 4 videos, 2 levels: each clip of video a has 1 same-level other video
    assert losses['same_level_pairs'].item() == 4 * 3 * 1
    # soft targets: L_rc = mean_i [H(S_i) + KL(S_i || p_i)] > mean_i H(S_i) (the exact
    # value: test_region_contrast_matches_dense_soft_infonce and, with maps larger than
    # one cell, test_objective_gradients.py); the candidates are the 4 global cells
    # (T_v = 4 x 1 x 1) of each of the 4 videos
    from vssl_mm.models.utils.correspondence import correspondence_from_metainfo
    s = correspondence_from_metainfo([d.metainfo['ctrl_params'] for d in samples], (1, 1, 1),
                                     (4, 1, 1))
    torch.testing.assert_close(s.sum(-1), torch.ones(s.shape[:-1]))
    entropy = float(-(s * s.clamp_min(1e-12).log()).sum(-1).mean())
    assert entropy < losses['loss_rc'].item()
    assert losses['rc_candidates'].item() == 4 * 4
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None, name


def test_frozen_critic_on_local_global_pairs_reaches_encoder_only():
    m = _model(loss_weights=dict(mi=1.))
    x, samples = _batch()
    losses = m.loss(x, samples)
    losses['loss_mi_lg'].backward()
    assert all(p.grad is None for p in m.critic.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in m.backbone.parameters())


def test_region_contrast_matches_dense_soft_infonce():
    """L_rc equals the soft InfoNCE (info_nce_logits_loss) with dense targets."""
    from vssl_mm.models.losses.info_nce import info_nce_logits_loss
    from vssl_mm.models.utils.correspondence import correspondence_from_metainfo
    m = _model(
        loss_weights=dict(rc=1.),
        backbone=dict(type='ResNet3dSSL', depth=10, base_channels=8, spatial_strides=(1, 1, 1, 1)))
    x, samples = _batch(n=3, k=2, size=16)
    local, glob_ = m.encode(x, samples)
    out = m.loss_region_contrast(local, glob_, samples)
    n, k = local.shape[:2]
    s = correspondence_from_metainfo([d.metainfo['ctrl_params'] for d in samples], local.shape[-3:],
                                     glob_.shape[-3:])
    q = m.projection(local.flatten(0, 1)).view(n, -1, 16)
    keys = m.projection(glob_)
    nv = keys.shape[1]
    logits = q.flatten(0, 1) @ keys.flatten(0, 1).t() / m.temperature
    dense = torch.zeros(n, q.shape[1], n, nv)
    for a in range(n):
        dense[a, :, a] = s[a].flatten(0, 1)
    ref = info_nce_logits_loss(logits, dense.flatten(2).flatten(0, 1))
    torch.testing.assert_close(out['loss_rc'], ref)


@pytest.mark.parametrize('kind', ['mlp', 'gru_mlp', 'vcop'])
def test_other_heads_and_nce(kind):
    m = _model(
        td_head=dict(type='TemporalDependencyHead', kind=kind, in_channels=64, num_clips=3),
        nce_neck=dict(type='MLPProjection', in_channels=64, out_channels=16),
        loss_weights=dict(rc=1., td=1., nce=1.))
    x, samples = _batch()
    losses = m.loss(x, samples)
    assert {'loss_rc', 'loss_td', 'loss_nce', 'acc_td'} <= set(losses)
    assert 'loss_mi' not in losses and m.critic is None


def test_configs_parse_and_build():
    cfgs = sorted(
        p for p in glob.glob(osp.join(ROOT, 'configs/ctrl_aug/*.py'))
        if not osp.basename(p).startswith('_'))  # not the method base
    assert len(cfgs) >= 20
    for path in cfgs:
        cfg = Config.fromfile(path)
        pipe = cfg.train_dataloader.dataset.pipeline
        k = [t for t in pipe if t['type'] == 'CtrlAugSampler'][0]['num_clips']
        if cfg.model.get('td_head'):
            assert cfg.model.td_head.num_clips == k, path
        model = MODELS.build(cfg.model)
        assert model.loss_weights, path
    k1 = Config.fromfile(osp.join(ROOT, 'configs/ctrl_aug/r3d18_ucf_clips3_global_t4.py'))
    assert tuple(k1.model.global_temporal_strides) == (1, 2, 2, 1)
    lv = Config.fromfile(osp.join(ROOT, 'configs/ctrl_aug/r3d18_ucf_levels_bcs5_hue2_blur5.py'))
    assert tuple(lv.train_dataloader.collate_fn.counts) == (5, 5, 5, 2, 5)
    assert lv.train_dataloader.collate_fn.samples_per_level == 4
    assert lv.train_dataloader.drop_last and lv.train_dataloader.batch_size == 16


def test_r3d18_grids_8x4x4_vs_2x4x4():
    cfg = Config.fromfile(osp.join(ROOT, 'configs/ctrl_aug/r3d18_ucf.py'))
    bb = MODELS.build(cfg.model.backbone)
    x = torch.randn(1, 3, 16, 112, 112)
    with torch.no_grad():
        assert bb(x)[-1].shape == (1, 512, 2, 4, 4)
        assert bb(
            x, temporal_strides=cfg.model.global_temporal_strides)[-1].shape == (1, 512, 8, 4, 4)
