"""Item 2: tools/data/check_videos.py on real broken files and a faked seek error."""
import os.path as osp
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.test_datasets.broken import make_broken_videos

sys.path.insert(0, osp.join(REPO, 'tools', 'data'))
import check_videos  # noqa: E402


@pytest.mark.slow
def test_check_videos_cli_reports_and_cleans(synthetic_data, tmp_path):
    root = synthetic_data['root']
    good = [line for line in open(synthetic_data['train']).read().split('\n') if line]
    broken = make_broken_videos(osp.join(root, good[0].split()[0]), str(tmp_path / 'b'))
    kinds = ['empty', 'random_bytes', 'truncated', 'missing', 'zero_frame', 'too_short']
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(good + [f'{broken[k]} 3' for k in kinds]) + '\n')
    out = tmp_path / 'clean.txt'
    proc = subprocess.run([
        sys.executable, 'tools/data/check_videos.py',
        str(ann), '--root', root, '--workers', '2', '--out',
        str(out), '--min-frames', '8', '--report',
        str(tmp_path / 'r.json')
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env={
                              'PYTHONPATH': REPO,
                              'PATH': '/usr/bin:/bin',
                              'OMP_NUM_THREADS': '1'
                          })
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
    path = osp.join(synthetic_data['root'], open(synthetic_data['train']).readline().split()[0])
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


def test_bframe_avi_verdict_per_backend(tmp_path):
    """A real Xvid-style AVI with B-frames: decord misreads it, the loader does not."""
    from tests.test_datasets.codec_videos import CODECS, write_pyav
    fname, fmt, codec, options, bframes = CODECS['mpeg4_bframes_avi']
    path = write_pyav(str(tmp_path / fname), fmt, codec, options, bframes, 90)
    r = check_videos.check_video(path, num_probe=12)
    assert r['status'] == 'ok', r
    assert r['decord_exact'] is False and r['pyav_exact'] is True
    assert r['loader'].startswith('pyav') and r['reordered'] and r['total_frames'] == 90
    r = check_videos.check_video(path, num_probe=12, backend='decord')
    assert r['status'] == 'random_access_mismatch', r
    assert "backend='auto'" in r['reason']  # the advice is what the default loader does


def test_truncated_avi_keeps_only_exact_frames(tmp_path):
    """Half a B-frame AVI: what decodes is counted and read exactly, nothing more."""
    from tests.test_datasets.codec_videos import CODECS, write_pyav
    fname, fmt, codec, options, bframes = CODECS['mpeg4_bframes_avi']
    path = write_pyav(str(tmp_path / fname), fmt, codec, options, bframes, 90)
    cut = tmp_path / 'cut.avi'
    data = open(path, 'rb').read()
    cut.write_bytes(data[:len(data) // 2])
    r = check_videos.check_video(str(cut), num_probe=12)
    assert r['status'] == 'ok' and 0 < r['total_frames'] < 90 and r['pyav_exact'], r
