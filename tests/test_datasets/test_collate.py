"""ctrl_aug_collate / assign_levels: the batch-level choice of intensity levels."""

import numpy as np
import pytest
import torch

from vssl_mm.datasets.collate import assign_levels, ctrl_aug_collate
from vssl_mm.datasets.transforms import IntensityLevels


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
