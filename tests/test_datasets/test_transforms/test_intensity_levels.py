"""IntensityLevels and ControlledLowLevelAug (ctrl_aug's intensity levels, Table 5)."""

import numpy as np

from vssl_mm.datasets.transforms import ControlledLowLevelAug, IntensityLevels, PackMultiViewInputs


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
