"""VideoSSLDataset: annotation parsing, skipping broken videos, seeded sampling."""

import os.path as osp

import numpy as np
import pytest
import torch

from vssl_mm.datasets import VideoSSLDataset

PIPELINE = [
    dict(type='VideoOpen'),
    dict(type='RandomClipsSampler', clip_len=4, frame_interval=2, num_views=2),
    dict(type='MultiViewDecode'),
    dict(type='ViewsApply', transforms=[dict(type='Resize', scale=(32, 32), keep_ratio=False)]),
    dict(type='PackMultiViewInputs'),
]


def _write_list(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return str(path)


def test_labels_optional_and_prefix(synthetic_data, tmp_path):
    ann = _write_list(tmp_path / 'a.txt',
                      ['videos/train_grow_000.mp4 6', 'videos/train_shrink_000.mp4'])
    ds = VideoSSLDataset(ann, PIPELINE, data_prefix=dict(video=synthetic_data['root']))
    assert len(ds) == 2
    assert ds.get_data_info(0)['label'] == 6 and ds.get_data_info(1)['label'] == -1
    sample = ds[0]
    assert sample['inputs'].shape == (2, 3, 4, 32, 32)
    assert sample['inputs'].dtype == torch.uint8
    assert sample['data_samples'].gt_label.item() == 6
    assert 'gt_label' not in ds[1]['data_samples']


def test_bad_annotation_line_names_file_and_line(tmp_path):
    ann = _write_list(tmp_path / 'bad.txt', ['a.mp4 1', 'b.mp4 notanint'])
    with pytest.raises(ValueError, match=r'bad.txt, line 2'):
        VideoSSLDataset(ann, PIPELINE)
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        VideoSSLDataset(str(tmp_path / 'missing.txt'), PIPELINE)
    with pytest.raises(FileNotFoundError, match='nowhere'):
        VideoSSLDataset(ann, PIPELINE, data_prefix=dict(video=str(tmp_path / 'nowhere')))


def test_rawframes(tmp_path):
    import cv2
    frame_dir = tmp_path / 'clip'
    frame_dir.mkdir()
    for i in range(1, 11):
        cv2.imwrite(str(frame_dir / f'img_{i:05d}.jpg'), np.full((20, 24, 3), i * 20, np.uint8))
    ann = _write_list(tmp_path / 'raw.txt', ['clip 10 3'])
    ds = VideoSSLDataset(
        ann, PIPELINE, data_prefix=dict(video=str(tmp_path)), data_type='rawframes')
    out = ds[0]
    assert out['inputs'].shape == (2, 3, 4, 32, 32)
    assert out['data_samples'].gt_label.item() == 3


def test_broken_videos_are_skipped_and_counted(synthetic_data, tmp_path, caplog):
    (tmp_path / 'empty.mp4').write_bytes(b'')
    (tmp_path / 'random.mp4').write_bytes(np.random.bytes(5000))
    good = osp.join(synthetic_data['root'], 'videos', 'train_grow_000.mp4')
    ann = _write_list(tmp_path / 'mixed.txt', [
        str(tmp_path / 'empty.mp4'),
        str(tmp_path / 'random.mp4'),
        str(tmp_path / 'missing.mp4'), good
    ])
    ds = VideoSSLDataset(ann, PIPELINE, max_fail_ratio=0.9, max_refetch=50)
    for i in range(3):
        out = ds[i]  # every broken index yields some good sample instead
        assert out['data_samples'].filename == good
    assert set(
        ds.failures) == {str(tmp_path / n)
                         for n in ('empty.mp4', 'random.mp4', 'missing.mp4')}
    assert 'not found' in ds.failures[str(tmp_path / 'missing.mp4')]


def test_too_many_failures_stop_with_examples(tmp_path):
    for i in range(4):
        (tmp_path / f'bad{i}.mp4').write_bytes(b'garbage')
    ann = _write_list(tmp_path / 'bad.txt', [str(tmp_path / f'bad{i}.mp4') for i in range(4)])
    ds = VideoSSLDataset(ann, PIPELINE, max_fail_ratio=0.1, max_failures=1)
    with pytest.raises(RuntimeError, match=r'max\(max_failures=1, max_fail_ratio=0.1'):
        for i in range(4):
            ds[i]


def test_test_mode_raises_on_broken_video(tmp_path):
    (tmp_path / 'bad.mp4').write_bytes(b'garbage')
    ann = _write_list(tmp_path / 'bad.txt', [str(tmp_path / 'bad.mp4') + ' 0'])
    ds = VideoSSLDataset(ann, PIPELINE, test_mode=True)
    with pytest.raises(RuntimeError, match='bad.mp4'):
        ds[0]
