"""Item 2: tools/data/check_videos.py on real broken files and a faked seek error."""
import os.path as osp
import subprocess
import sys

import numpy as np

from tests.conftest import REPO
from tests.test_reliability.broken import make_broken_videos

sys.path.insert(0, osp.join(REPO, 'tools', 'data'))
import check_videos  # noqa: E402


def test_check_videos_cli_reports_and_cleans(synthetic_data, tmp_path):
    root = synthetic_data['root']
    good = [line for line in open(synthetic_data['train']).read().split('\n') if line]
    broken = make_broken_videos(osp.join(root, good[0].split()[0]), str(tmp_path / 'b'))
    kinds = ['empty', 'random_bytes', 'truncated', 'missing', 'zero_frame', 'too_short']
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(good + [f'{broken[k]} 3' for k in kinds]) + '\n')
    out = tmp_path / 'clean.txt'
    proc = subprocess.run(
        [sys.executable, 'tools/data/check_videos.py', str(ann), '--root', root,
         '--workers', '2', '--out', str(out), '--min-frames', '8',
         '--report', str(tmp_path / 'r.json')],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={'PYTHONPATH': REPO, 'PATH': '/usr/bin:/bin', 'OMP_NUM_THREADS': '1'})
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert f'checked {len(good) + 6} videos: ok {len(good)}, too_short 1, unreadable 5' \
        in proc.stdout, proc.stdout
    for k in kinds:
        assert broken[k] in proc.stdout
    assert 'file not found' in proc.stdout and 'empty file' in proc.stdout
    assert '/' in proc.stderr and f'{len(good) + 6}/{len(good) + 6}' in proc.stderr  # bar
    assert out.read_text().split('\n')[:-1] == good  # same lines, same order


def test_random_access_mismatch_is_detected(synthetic_data, monkeypatch):
    """A reader whose seeks land 5 frames early (the AVI B-frame symptom)."""
    import decord
    path = osp.join(synthetic_data['root'],
                    open(synthetic_data['train']).readline().split()[0])
    assert check_video_ok(path)
    original = decord.VideoReader.get_batch

    def early(self, indices):
        return original(self, [max(int(i) - 5, 0) for i in indices])

    monkeypatch.setattr(decord.VideoReader, 'get_batch', early)
    r = check_videos.check_video(path, num_probe=8)
    assert r['status'] == 'random_access_mismatch', r
    assert 'differs from in-order decoding at frames' in r['reason']


def check_video_ok(path):
    r = check_videos.check_video(path, num_probe=8)
    assert r['total_frames'] == 32
    return r['status'] == 'ok'


def test_decoding_failure_mid_file_is_unreadable(synthetic_data, monkeypatch):
    import decord
    path = osp.join(synthetic_data['root'],
                    open(synthetic_data['train']).readline().split()[0])
    original = decord.VideoReader.next
    count = {'n': 0}

    def failing_next(self):
        count['n'] += 1
        if count['n'] > 20:
            raise decord.DECORDError('corrupt packet')
        return original(self)

    monkeypatch.setattr(decord.VideoReader, 'next', failing_next)
    r = check_videos.check_video(path)
    assert r['status'] == 'unreadable' and 'decoding failed at frame 20 of 32' in \
        r['reason'], r
    assert np.isfinite(r['total_frames'])
