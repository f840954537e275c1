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
    means = [
        np.mean([render_video(c, 1, 64, 64, rng)[0].mean() for _ in range(12)]) for c in (0, 1)
    ]
    assert abs(means[0] - means[1]) < 25


def test_rejects_sizes_decord_misreads(tmp_path):
    with pytest.raises(ValueError, match='width >= 64'):
        make_synthetic_dataset(str(tmp_path), 1, 1, 8, 48, 48)


# ---------------------------------------------------------------- style='camera'
def _camera(label, seed=3, frames=12, size=64):
    from vssl_mm.datasets.synthetic import make_texture_pool, render_camera_video
    pool = make_texture_pool(2, 3 * size, seed=0)
    return render_camera_video(label, frames, size, size, np.random.default_rng(seed), pool)


@pytest.mark.parametrize('forward,backward', [(0, 1), (2, 3), (6, 7)])
def test_camera_reversed_pairs_are_exact_time_reversals(forward, backward):
    """Pan right/left, down/up and zoom in/out: with the same draws, one class's video
    is the other's played backwards, frame for frame."""
    a, b = _camera(forward), _camera(backward)
    assert np.array_equal(a, b[::-1])
    assert not np.array_equal(a[0], a[-1])


@pytest.mark.parametrize('label,axis,sign', [(0, 0, 1), (1, 0, -1), (2, 1, 1), (3, 1, -1)])
def test_camera_pan_moves_every_frame_by_the_class_speed(label, axis, sign):
    """Filming a texture whose channel 0 is its x coordinate and channel 1 its y: (bilinear
    sampling of a linear ramp is exact) the mean of a frame is the camera position, so the
    pan moves by base/48 px (+-10 %) per frame along its axis and not at all across."""
    from vssl_mm.datasets.synthetic import render_camera_video
    pool = np.zeros((1, 192, 192, 3), np.uint8)
    pool[0, ..., 0] = np.arange(192)[None, :]
    pool[0, ..., 1] = np.arange(192)[:, None]
    video = render_camera_video(label, 10, 64, 64, np.random.default_rng(1), pool)
    pos = video.astype(np.float64).mean(axis=(1, 2))[:, :2]  # (T, [x, y])
    step = np.diff(pos, axis=0)
    speed = sign * step[:, axis]
    assert np.all(speed > 0.9 * 64 / 48 - 0.05) and np.all(speed < 1.1 * 64 / 48 + 0.05)
    assert np.ptp(speed) < 0.05  # constant speed
    assert np.all(np.abs(step[:, 1 - axis]) < 0.05)


def test_camera_rolls_rotate_about_the_centre():
    a, b = _camera(4), _camera(5)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[5], b[5])


def test_camera_films_only_the_shared_pool():
    """Appearance comes from the pool whatever the class: with one flat red and one flat
    blue texture, every frame of every class is one of the two, and both occur."""
    from vssl_mm.datasets.synthetic import make_texture_pool, render_camera_video
    assert np.array_equal(make_texture_pool(3, 96, seed=1), make_texture_pool(3, 96, seed=1))
    pool = np.zeros((2, 192, 192, 3), np.uint8)
    pool[0, ..., 2] = 255
    pool[1, ..., 0] = 255
    rng = np.random.default_rng(0)
    seen = set()
    for label in range(len(CLASSES)):
        for _ in range(3):
            video = render_camera_video(label, 8, 64, 64, rng, pool)
            colour = tuple(video[0, 0, 0])
            assert (video == np.array(colour, np.uint8)).all(), label
            seen.add(colour)
    assert seen == {(0, 0, 255), (255, 0, 0)}


def test_camera_dataset_is_real_mp4_and_rejects_unknown_style(tmp_path):
    out = make_synthetic_dataset(
        str(tmp_path / 'cam'), 1, 1, 16, 64, 64, style='camera', num_textures=2)
    lines = [ln for ln in open(out['train']).read().split('\n') if ln]
    assert len(lines) == len(CLASSES)
    reader = decord.VideoReader(osp.join(out['root'], lines[0].split()[0]))
    assert len(reader) == 16 and reader[0].shape == (64, 64, 3)
    with pytest.raises(ValueError, match="style must be one of .*'spiral'"):
        make_synthetic_dataset(str(tmp_path / 'x'), 1, 1, 8, 64, 64, style='spiral')


def test_camera_texture_holds_long_videos(tmp_path):
    """160-frame videos pan and zoom further than a 3x texture: the pool grows to fit."""
    from vssl_mm.datasets.synthetic import camera_texture_side
    assert camera_texture_side(16, 64, 64) == camera_texture_side(64, 128, 128) // 2 == 192
    assert camera_texture_side(160, 64, 64) > 4 * 64
    out = make_synthetic_dataset(str(tmp_path), 1, 0, 160, 64, 64, style='camera', num_textures=1)
    lines = [ln for ln in open(out['train']).read().split('\n') if ln]
    assert len(lines) == len(CLASSES)
    assert len(decord.VideoReader(osp.join(out['root'], lines[-1].split()[0]))) == 160


# ---------------------------------------------------------------- style='motion_bright'
@pytest.mark.parametrize('label', range(len(CLASSES)))
def test_motion_bright_is_motion_with_one_polarity(label):
    """The same draws as 'motion', recoloured: every pixel is either bright (a shape,
    >= 155 in every channel) or dark (the background, <= 100 plus its noise), except
    anti-aliased edges, and the shapes move where they move in 'motion'."""
    frames, size = 6, 64
    plain = render_video(label, frames, size, size, np.random.default_rng(11))
    bright = render_video(label, frames, size, size, np.random.default_rng(11), bright=True)
    assert bright.shape == plain.shape and bright.dtype == np.uint8
    shape = (bright >= 155).all(-1)
    dark = (bright <= 100 + 4 * 6).all(-1)
    assert shape.any(axis=(1, 2)).all(), 'every frame shows the object'
    assert (shape | dark).mean() > 0.97, 'only anti-aliased edges are in between'
    # the object moves exactly as in the motion style: its mask overlaps the pixels that
    # differ between consecutive frames in both renderings
    moved_plain = (plain[1:] != plain[:-1]).any(-1)
    moved_bright = (bright[1:] != bright[:-1]).any(-1)
    inter = (moved_plain & moved_bright).sum() / max(moved_plain.sum(), 1)
    assert inter > 0.9


def test_motion_bright_dataset_and_same_draws(tmp_path):
    """The style goes through make_synthetic_dataset, and recolouring consumes the same
    random draws as 'motion' (the generator is left in the same state), so the two
    styles' datasets hold the same scenes video for video."""
    out = make_synthetic_dataset(str(tmp_path / 'b'), 1, 0, 16, 64, 64, style='motion_bright')
    lines = [ln for ln in open(out['train']).read().split('\n') if ln]
    assert len(lines) == len(CLASSES)
    frame = decord.VideoReader(osp.join(out['root'], lines[0].split()[0]))[0].asnumpy()
    assert np.median(frame) <= 110, 'mostly dark background after mp4v'
    assert frame.max() >= 155, 'a bright shape'
    rng_plain, rng_bright = np.random.default_rng(2), np.random.default_rng(2)
    render_video(3, 4, 64, 64, rng_plain)
    render_video(3, 4, 64, 64, rng_bright, bright=True)
    assert rng_plain.random() == rng_bright.random()
