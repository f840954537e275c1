"""Multi-view transforms: samplers, one decode, clip-consistent augmentation, packing."""
import os.path as osp

import decord
import numpy as np
import pytest
import torch

from vssl_mm.datasets.transforms import (ClipColorJitter, ClipGrayscale, MultiViewDecode,
                                         PackMultiViewInputs, RandomClipsSampler,
                                         UniformClipsSampler, VideoOpen, ViewsApply,
                                         fit_interval)


@pytest.fixture
def video(synthetic_data):
    return osp.join(synthetic_data['root'], 'videos', 'train_rotate_cw_000.mp4')


def test_random_clips_sampler_invariants():
    for seed in range(50):
        np.random.seed(seed)
        total = np.random.randint(1, 80)
        out = RandomClipsSampler(clip_len=8, frame_interval=3, num_views=3)(
            dict(total_frames=total))
        assert len(out['view_frame_inds']) == 3
        for inds in out['view_frame_inds']:
            assert len(inds) == 8
            assert inds.min() >= 0 and inds.max() < total
            if total >= 8:  # no looping needed: strictly increasing with the used interval
                assert np.all(np.diff(inds) == out['frame_interval'])
        assert out['frame_interval'] == fit_interval(total, 8, 3)


def test_uniform_clips_sampler_spreads_clips():
    out = UniformClipsSampler(clip_len=4, frame_interval=1, num_clips=10)(
        dict(total_frames=103))
    starts = [int(i[0]) for i in out['view_frame_inds']]
    assert starts == sorted(starts) and len(set(starts)) == 10
    assert starts[0] == 5 and starts[-1] == 95  # centres of 10 segments of 100 starts


def test_decode_once_matches_sequential_decoding(video):
    results = VideoOpen()(dict(filename=video))
    results['view_frame_inds'] = [np.array([3, 5, 7]), np.array([5, 6, 31])]
    out = MultiViewDecode()(results)
    seq = decord.VideoReader(video)
    frames = np.stack([seq[i].asnumpy() for i in range(32)])  # sequential reading
    assert np.array_equal(out['views'][0], frames[[3, 5, 7]])
    assert np.array_equal(out['views'][1], frames[[5, 6, 31]])
    assert out['num_decoded_frames'] == 5 == out['num_needed_frames']
    assert 'video_reader' not in out


def test_decode_rejects_out_of_range(video):
    results = VideoOpen()(dict(filename=video))
    results['view_frame_inds'] = [np.array([0, 32])]
    with pytest.raises(IndexError, match='train_rotate_cw_000.mp4'):
        MultiViewDecode()(results)


def test_video_open_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.mp4'):
        VideoOpen()(dict(filename=str(tmp_path / 'nope.mp4')))
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'not a video')
    with pytest.raises(IOError, match='bad.mp4'):
        VideoOpen()(dict(filename=str(bad)))


def test_views_apply_is_clip_consistent_and_records_params():
    rng = np.random.default_rng(0)
    views = [rng.integers(0, 255, (4, 40, 50, 3), dtype=np.uint8) for _ in range(2)]
    t = ViewsApply([dict(type='RandomCrop', size=20), dict(type='Flip', flip_ratio=0.5)])
    np.random.seed(1)
    out = t(dict(views=[v.copy() for v in views]))
    for v, src, p in zip(out['views'], views, out['view_params']):
        x1, y1, x2, y2 = p['crop_bbox']
        expect = src[:, y1:y2, x1:x2]
        if p['flip']:
            expect = expect[:, :, ::-1]
        assert np.array_equal(v, expect)  # every frame got the same crop and flip
        assert v.shape == (4, 20, 20, 3)


def test_color_jitter_identity_and_consistency():
    imgs = np.random.default_rng(0).integers(0, 255, (3, 8, 8, 3), dtype=np.uint8)
    assert np.array_equal(ClipColorJitter.apply(imgs), imgs)
    bright = ClipColorJitter.apply(imgs, brightness=0.5)
    assert np.array_equal(bright, (imgs.astype(np.float32) * 0.5).round().astype(np.uint8))
    # one set of factors for the whole clip: identical frames stay identical
    same = np.repeat(imgs[:1], 3, axis=0)
    np.random.seed(0)
    out = ClipColorJitter(hue=0.5, p=1.0)(dict(imgs=same))
    assert all(np.array_equal(out['imgs'][0], f) for f in out['imgs'])
    assert set(out['color_jitter']) == {'brightness', 'contrast', 'saturation', 'hue', 'order'}
    with pytest.raises(ValueError, match='hue'):
        ClipColorJitter(hue=0.7)


def test_grayscale_equal_channels():
    imgs = np.random.default_rng(0).integers(0, 255, (2, 5, 5, 3), dtype=np.uint8)
    out = ClipGrayscale(p=1.0)(dict(imgs=imgs))
    assert out['grayscale'] is True
    assert np.array_equal(out['imgs'][..., 0], out['imgs'][..., 2])


def test_pack_and_preprocess_shapes():
    from vssl_mm.models.data_preprocessors import MultiViewDataPreprocessor
    views = [np.full((4, 6, 7, 3), 10 * i, np.uint8) for i in range(3)]
    packed = PackMultiViewInputs(meta_keys=('order_label', ))(
        dict(views=views, label=2, order_label=5))
    assert packed['inputs'].shape == (3, 3, 4, 6, 7)
    assert packed['data_samples'].order_label == 5
    assert packed['data_samples'].gt_label.item() == 2
    pre = MultiViewDataPreprocessor(mean=[127.5] * 3, std=[127.5] * 3)
    out = pre(dict(inputs=[packed['inputs']] * 2, data_samples=[packed['data_samples']] * 2))
    assert out['inputs'].shape == (2, 3, 3, 4, 6, 7)
    assert torch.allclose(out['inputs'][0, 1], torch.full((3, 4, 6, 7), (10 - 127.5) / 127.5))
    with pytest.raises(ValueError, match='differ in shape'):
        PackMultiViewInputs()(dict(views=[views[0], views[0][:2]]))


def test_preprocessor_extra_views_optional():
    """Extra views are normalised when every sample has them and ignored otherwise
    (evaluation pipelines of a method with a global view carry none)."""
    from vssl_mm.models.data_preprocessors import MultiViewDataPreprocessor
    view = [np.full((2, 4, 4, 3), 50, np.uint8)]
    pre = MultiViewDataPreprocessor(mean=[50] * 3, std=[2] * 3,
                                    extra_view_keys=('global_view', ))
    with_extra = PackMultiViewInputs(extra_view_keys=('global_view', ))(
        dict(views=view, global_view=[np.full((3, 4, 4, 3), 54, np.uint8)]))
    out = pre(dict(inputs=[with_extra['inputs']], data_samples=[with_extra['data_samples']]))
    assert torch.allclose(out['data_samples'][0].global_view, torch.full((1, 3, 3, 4, 4), 2.))
    plain = PackMultiViewInputs()(dict(views=view))
    out = pre(dict(inputs=[plain['inputs']], data_samples=[plain['data_samples']]))
    assert out['inputs'].shape == (1, 1, 3, 2, 4, 4)
