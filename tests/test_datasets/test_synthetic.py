"""The synthetic motion dataset: real mp4 files, mmaction2 lists, motion-defined classes."""
import os.path as osp

import decord
import numpy as np
import pytest

from vssl_mm.datasets.synthetic import CLASSES, make_synthetic_dataset, render_video


def test_lists_and_files(synthetic_data):
    train = open(synthetic_data['train']).read().split('\n')
    train = [line for line in train if line]
    assert len(train) == 2 * len(CLASSES)
    labels = sorted(int(line.split()[1]) for line in train)
    assert labels == sorted(list(range(len(CLASSES))) * 2)
    path = osp.join(synthetic_data['root'], train[0].split()[0])
    reader = decord.VideoReader(path)
    assert len(reader) == 32 and reader[0].shape == (64, 64, 3)


def test_time_reversed_pairs():
    """Classes 2k and 2k+1 differ only in time direction: with the same random draws,
    class 1's video equals class 0's with the object moving the other way, so the first
    frames agree and later frames differ."""
    a = render_video(0, 12, 64, 64, np.random.default_rng(5))
    b = render_video(1, 12, 64, 64, np.random.default_rng(5))
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[6], b[6])


def test_single_frames_do_not_reveal_class():
    """Appearance is drawn independently of the class: mean colour per class is similar."""
    rng = np.random.default_rng(0)
    means = [np.mean([render_video(c, 1, 64, 64, rng)[0].mean() for _ in range(12)])
             for c in (0, 1)]
    assert abs(means[0] - means[1]) < 25


def test_rejects_sizes_decord_misreads(tmp_path):
    with pytest.raises(ValueError, match='width >= 64'):
        make_synthetic_dataset(str(tmp_path), 1, 1, 8, 48, 48)
