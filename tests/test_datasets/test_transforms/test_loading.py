"""VideoOpen / MultiViewDecode: one decode, range checks, errors naming the file."""

import os.path as osp

import decord
import numpy as np
import pytest

from vssl_mm.datasets.transforms import MultiViewDecode, VideoOpen


@pytest.fixture
def video(synthetic_data):
    return osp.join(synthetic_data['root'], 'videos', 'train_rotate_cw_000.mp4')


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
