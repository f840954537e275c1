"""ctrl_aug's controllable augmentations: time bins, crops inside the global crop,
recorded parameters reproducing the views, intensity levels and the batch-level choice."""
import numpy as np
import pytest
import torch

from vssl_mm.datasets.collate import assign_levels, ctrl_aug_collate
from vssl_mm.datasets.transforms import (ControlledLowLevelAug, CtrlAugCrop, CtrlAugSampler,
                                         IntensityLevels, MultiViewDecode, PackMultiViewInputs,
                                         VideoOpen)


@pytest.mark.parametrize('k', [1, 2, 3, 4])
def test_local_centres_in_bins_and_frames_in_video(k):
    s = CtrlAugSampler(num_clips=k, clip_len=16, frame_interval=2, global_len=16)
    for seed in range(200):
        np.random.seed(seed)
        total = [300, 181, 97, 140][seed % 4]
        res = s.transform(dict(total_frames=total))
        p = res['ctrl_params']
        inds = res['view_frame_inds']
        assert len(inds) == 1 + k
        # global: one frame per equal segment of the video
        g = inds[0]
        seg = np.floor(g * 16 / total)
        np.testing.assert_array_equal(seg, np.arange(16))
        for j in range(k):
            loc = inds[1 + j]
            assert loc.min() >= 0 and loc.max() < total
            assert (np.diff(loc) == p['frame_interval']).all()
            t0, t1 = p['local_windows'][j]
            assert t0 == loc[0] and t1 == loc[-1] + 1
            c = p['local_centres'][j]
            assert c == (t0 + t1) / 2
            assert j * total / k - 1e-6 <= c <= (j + 1) * total / k + 1e-6, (seed, j, c)


def test_short_video_fallback_and_skip():
    s = CtrlAugSampler(num_clips=4, clip_len=16, frame_interval=4)
    res = s.transform(dict(total_frames=20))  # interval lowered, starts clamped
    assert max(i.max() for i in res['view_frame_inds']) < 20
    assert res['ctrl_params']['frame_interval'] == 1
    with pytest.raises(ValueError, match='fewer than clip_len'):
        s.transform(dict(total_frames=15))


def test_crops_inside_global_crop_many_seeds():
    crop = CtrlAugCrop(out_size=(24, 32), global_area=(0.3, 1.0), local_area=(0.1, 1.0))
    frames = np.zeros((2, 90, 120, 3), np.uint8)
    flips_seen = set()
    for seed in range(300):
        np.random.seed(seed)
        res = crop.transform(dict(views=[frames] * 5))
        b = res['ctrl_params']['boxes']
        assert b.shape == (5, 4)
        assert (b[0, :2] >= 0).all() and b[0, 2] <= 120 and b[0, 3] <= 90
        for lb in b[1:]:
            assert lb[0] >= b[0, 0] and lb[1] >= b[0, 1]
            assert lb[2] <= b[0, 2] and lb[3] <= b[0, 3]
            assert lb[2] > lb[0] and lb[3] > lb[1]
        flips_seen.update(res['ctrl_params']['flips'].tolist())
        assert res['global_view'][0].shape == (2, 24, 32, 3)
        assert len(res['views']) == 4 and res['views'][0].shape == (2, 24, 32, 3)
    assert flips_seen == {True, False}


def test_recorded_parameters_reproduce_views(synthetic_data):
    import cv2
    import decord
    fn = open(synthetic_data['train']).readline().split()[0]
    path = f"{synthetic_data['root']}/{fn}"
    pipeline = [
        VideoOpen(),
        CtrlAugSampler(num_clips=3, clip_len=8, global_len=8),
        MultiViewDecode(),
        CtrlAugCrop(out_size=40, global_flip_ratio=0.5, local_flip_ratio=0.5)
    ]
    for seed in range(4):
        np.random.seed(seed)
        res = dict(filename=path)
        for t in pipeline:
            res = t(res)
        p = res['ctrl_params']
        raw = decord.VideoReader(path)  # independent decode of the recorded frames
        views = res['global_view'] + res['views']
        for v, (inds, box, flip) in enumerate(zip(res['view_frame_inds'], p['boxes'], p['flips'])):
            frames = raw.get_batch(list(inds)).asnumpy()
            x0, y0, x1, y1 = box.astype(int)
            ref = np.stack([cv2.resize(f[y0:y1, x0:x1], (40, 40)) for f in frames])
            if flip:
                ref = ref[:, :, ::-1]
            np.testing.assert_array_equal(views[v], ref)
        assert res['num_decoded_frames'] == len(np.unique(np.concatenate(res['view_frame_inds'])))


def test_intensity_levels_table5_counts_and_bins():
    for counts, total in [((2, 2, 2, 2, 2), 32), ((4, 4, 4, 2, 4), 512), ((4, 4, 4, 4, 4), 1024),
                          ((5, 5, 5, 2, 5), 1250)]:
        assert IntensityLevels(counts).num_levels == total
    lv = IntensityLevels()
    assert lv.decode(0) == (0, 0, 0, 0, 0) and lv.decode(511) == (3, 3, 3, 1, 3)
    assert lv.encode(lv.decode(300)) == 300
    r = lv.bin_ranges(lv.encode((3, 0, 1, 1, 2)))
    np.testing.assert_allclose(r['brightness'], (1.2, 1.4))
    np.testing.assert_allclose(r['contrast'], (0.6, 0.8))
    np.testing.assert_allclose(r['hue'], (0.0, 0.1), atol=1e-12)
    np.testing.assert_allclose(r['blur'], (0.1 + 2 * 1.9 / 4, 0.1 + 3 * 1.9 / 4))
    # a brighter level gives brighter frames
    imgs = np.full((2, 16, 16, 3), 100, np.uint8)
    dark = lv.apply(imgs, lv.sample_params(lv.encode((0, 1, 1, 0, 0))))
    bright = lv.apply(imgs, lv.sample_params(lv.encode((3, 1, 1, 0, 0))))
    assert dark.mean() < 100 < bright.mean()


def test_assign_levels_batch_choice():
    np.random.seed(0)
    ids = assign_levels(128, 512, samples_per_level=4)  # the paper: 32 levels x 4
    levels, counts = np.unique(ids, return_counts=True)
    assert len(levels) == 32 and (counts == 4).all()
    levels, counts = np.unique(assign_levels(6, 32, 2), return_counts=True)
    assert len(levels) == 3 and (counts == 2).all()
    assert len(np.unique(assign_levels(64, 32, 2))) == 32  # all levels of Table 5 row 1


@pytest.mark.parametrize('batch, spl, num_levels, words', [
    (6, 4, 512, 'batch of 6 samples (per rank) cannot be split into groups of '
     'samples_per_level=4'),
    (2, 4, 512, 'batch of 2 samples'),
    (8, 1, 512, 'samples_per_level=1: must be an int >= 2'),
    (8, 0, 512, 'samples_per_level=0'),
    (8, 2.5, 512, 'samples_per_level=2.5'),
    (128, 2, 32, 'needs 64 distinct intensity levels, but the level counts give only 32'),
])
def test_assign_levels_rejects_impossible_grouping(batch, spl, num_levels, words):
    with pytest.raises(ValueError) as e:
        assign_levels(batch, num_levels, spl)
    assert words in str(e.value)


def test_collate_applies_levels_and_records():
    from mmaction.structures import ActionDataSample
    batch = []
    for i in range(8):
        s = ActionDataSample()
        s.set_metainfo(dict(global_view=torch.full((1, 3, 4, 8, 8), 120, dtype=torch.uint8)))
        batch.append(
            dict(inputs=torch.full((2, 3, 4, 8, 8), 120, dtype=torch.uint8), data_samples=s))
    np.random.seed(3)
    with pytest.raises(ValueError, match='replaced by samples_per_level'):
        ctrl_aug_collate(batch, counts=(2, 2, 2, 2, 2), levels_per_batch=8)
    with pytest.raises(ValueError, match='batch of 8 samples .* samples_per_level=3'):
        ctrl_aug_collate(batch, counts=(2, 2, 2, 2, 2), samples_per_level=3)
    out = ctrl_aug_collate(batch, counts=(2, 2, 2, 2, 2), samples_per_level=2)
    levels = [s.metainfo['lowlevel_level'] for s in out['data_samples']]
    assert sorted(np.unique(levels, return_counts=True)[1]) == [2, 2, 2, 2]
    for x, s in zip(out['inputs'], out['data_samples']):
        assert x.dtype == torch.uint8 and x.shape == (2, 3, 4, 8, 8)
        assert len(s.metainfo['lowlevel_params']) == 3  # global + 2 clips
        b0, b1 = IntensityLevels(
            (2, 2, 2, 2, 2)).bin_ranges(s.metainfo['lowlevel_level'])['brightness']
        for p in s.metainfo['lowlevel_params']:
            assert b0 <= p['brightness'] <= b1
    # the same level id means the same kind of distortion: brightness bin decides
    # whether the grey frames got darker or brighter (contrast/saturation/hue keep grey)
    for x, s in zip(out['inputs'], out['data_samples']):
        bright_bin = IntensityLevels((2, 2, 2, 2, 2)).decode(s.metainfo['lowlevel_level'])[0]
        assert (x.float().mean() > 120) == (bright_bin == 1)


def test_pipeline_variant_and_pack():
    np.random.seed(0)
    res = dict(
        views=[np.full((2, 8, 8, 3), 90, np.uint8)] * 2,
        global_view=[np.full((3, 8, 8, 3), 90, np.uint8)])
    res = ControlledLowLevelAug(counts=(2, 2, 2, 2, 2))(res)
    assert 0 <= res['lowlevel_level'] < 32 and len(res['lowlevel_params']) == 3
    packed = PackMultiViewInputs(
        meta_keys=('lowlevel_level', ), extra_view_keys=('global_view', ))(
            res)
    assert packed['inputs'].shape == (2, 3, 2, 8, 8)
    assert packed['data_samples'].metainfo['global_view'].shape == (1, 3, 3, 8, 8)
