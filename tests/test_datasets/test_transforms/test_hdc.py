"""HDC views: shared / new windows, one decode, each Table 2 switch, [-1, 1] pixels."""

import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

import vssl_mm  # noqa: F401
from tests.conftest import REPO
from vssl_mm.registry import MODELS, TRANSFORMS

SEEDS = range(40)


def _views(t=8, h=64, w=80, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.randint(0, 256, (t, h, w, 3), dtype=np.uint8) for _ in range(3)]


def _augment(seed, **kwargs):
    aug = TRANSFORMS.build(
        dict(type='HDCSpatialAugment', short_side=72, crop_size=64, scale_range=(64, 88), **kwargs))
    np.random.seed(seed)
    return aug(dict(views=_views(seed=seed)))


@pytest.mark.parametrize('total', [9, 20, 300])
def test_sampler_shares_o_s_and_moves_t(total):
    sampler = TRANSFORMS.build(dict(type='HDCViewSampler', clip_len=8))
    for seed in SEEDS:
        np.random.seed(seed)
        r = sampler(dict(total_frames=total))
        o, s, t = r['view_frame_inds']
        np.testing.assert_array_equal(o, s)  # u_o, u_s: same timestamps
        for inds in (o, t):  # 8 consecutive frames inside the video
            assert len(inds) == 8 and inds.min() >= 0 and inds.max() < total
            np.testing.assert_array_equal(np.diff(inds), 1)
        assert r['view_starts'][2] != r['view_starts'][0]  # a new window
        assert not np.array_equal(o, t)


def test_sampler_single_window_video():
    r = TRANSFORMS.build(dict(type='HDCViewSampler', clip_len=8))(dict(total_frames=8))
    for inds in r['view_frame_inds']:
        np.testing.assert_array_equal(inds, np.arange(8))


def test_t_start_is_uniform_over_other_windows():
    sampler = TRANSFORMS.build(dict(type='HDCViewSampler', clip_len=8))
    np.random.seed(0)
    pairs = [tuple(sampler(dict(total_frames=11))['view_starts'][::2]) for _ in range(800)]
    counts = {p: pairs.count(p) for p in set(pairs)}
    assert set(counts) == {(a, b) for a in range(4) for b in range(4) if a != b}
    assert min(counts.values()) > 800 / 12 * 0.5


def test_pipeline_decodes_once_and_normalises(synthetic_data):
    from vssl_mm.datasets import VideoSSLDataset
    cfg = Config.fromfile(osp.join(REPO, 'configs/hdc/r3d18_synthetic.py'))
    ds = VideoSSLDataset(
        ann_file=synthetic_data['train'],
        data_prefix=dict(video=synthetic_data['root']),
        pipeline=cfg.train_pipeline)
    item = ds[0]
    meta = item['data_samples'].metainfo
    assert item['inputs'].shape == (3, 3, 8, 64, 64) and item['inputs'].dtype == torch.uint8
    o, s, t = meta['view_frame_inds']
    np.testing.assert_array_equal(o, s)
    assert not np.array_equal(o, t)
    union = len(np.unique(np.concatenate([o, t])))
    assert meta['num_decoded_frames'] == meta['num_needed_frames'] == union
    assert union > 8  # u_t adds frames, decoded in the same single pass
    pre = MODELS.build(cfg.model.data_preprocessor)
    batch = pre(dict(inputs=[item['inputs']], data_samples=[item['data_samples']]))
    x = batch['inputs']
    assert x.shape == (1, 3, 3, 8, 64, 64)
    assert x.min() >= -1 and x.max() <= 1
    torch.testing.assert_close(x, item['inputs'][None].float() / 127.5 - 1)


def test_channel_replication_makes_channels_equal():
    op = TRANSFORMS.build(dict(type='ChannelReplication', p=1.0))
    imgs = _views()[0]
    np.random.seed(3)
    r = op(dict(imgs=imgs.copy()))
    c = r['channel_replication']
    assert c in (0, 1, 2)
    for k in range(3):
        np.testing.assert_array_equal(r['imgs'][..., k], imgs[..., c])
    r = TRANSFORMS.build(dict(type='ChannelReplication', p=0.0))(dict(imgs=imgs.copy()))
    assert r['channel_replication'] == -1
    np.testing.assert_array_equal(r['imgs'], imgs)


def _params(**kwargs):
    return [p for seed in SEEDS for p in _augment(seed, **kwargs)['view_params']]


def test_full_family_is_applied():
    params = _params()
    assert any(p['flip'] for p in params) and not all(p['flip'] for p in params)
    assert any(p['color_jitter']['brightness'] != 1 for p in params)
    assert any(p['channel_replication'] >= 0 for p in params)
    assert any(p['channel_replication'] == -1 for p in params)
    assert len({tuple(p['scale_factor']) for p in params}) > 5  # scale jitter
    assert len({tuple(p['crop_bbox'][:2]) for p in params}) > 5  # random position


def _equal_channels(v):
    return np.array_equal(v[..., 0], v[..., 1]) and np.array_equal(v[..., 1], v[..., 2])


@pytest.mark.parametrize(
    'switch', ['flip', 'color_jitter', 'channel_replication', 'scale_jitter', 'random_crop'])
def test_each_switch_removes_its_augmentation(switch):
    for seed in SEEDS:
        r = _augment(seed, **{switch: False})
        for p, v in zip(r['view_params'], r['views']):
            assert v.shape == (8, 64, 64, 3)
            if switch == 'flip':
                assert not p.get('flip', False)
            elif switch == 'color_jitter':
                assert 'color_jitter' not in p
            elif switch == 'channel_replication':
                assert 'channel_replication' not in p
                assert not _equal_channels(v)  # random frames: replication would show
            elif switch == 'scale_jitter':
                np.testing.assert_allclose(p['scale_factor'], [72 / 64, 72 / 64])
            elif switch == 'random_crop':
                x1, y1 = p['crop_bbox'][:2]  # centre of the (jittered) frame
                fw = round(80 * p['scale_factor'][0])
                fh = round(64 * p['scale_factor'][1])
                assert x1 == (fw - 64) // 2 and y1 == (fh - 64) // 2


def test_no_spatial_augmentation_inside_tc():
    for seed in SEEDS:
        r = _augment(seed, tc_spatial=False)
        p_t = r['view_params'][2]
        assert not p_t.get('flip', False) and 'color_jitter' not in p_t
        assert 'channel_replication' not in p_t
        np.testing.assert_array_equal(p_t['crop_bbox'], [13, 4, 77, 68])  # centre of 90x72
        np.testing.assert_allclose(p_t['scale_factor'], [90 / 80, 72 / 64])
        assert 'color_jitter' in r['view_params'][0] and 'color_jitter' in r['view_params'][1]
