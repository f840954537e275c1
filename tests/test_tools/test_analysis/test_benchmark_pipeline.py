"""tools/analysis/benchmark_pipeline.py: exact frame counts, matched intervals."""

import json
import os.path as osp
import re

import numpy as np
import pytest

from tests.conftest import REPO, run_tool

SYNTHETIC = {
    'simclr': 'configs/simclr/r3d18_synthetic.py',
    'seg_order_rate': 'configs/seg_order_rate/r21d_synthetic.py',
    'hdc': 'configs/hdc/r3d18_synthetic.py',
    'mlrep': 'configs/mlrep/r3d18_synthetic.py',
    'ctrl_aug': 'configs/ctrl_aug/r3d18_synthetic.py',
}


def _figure(out: str, pattern: str) -> float:
    m = re.search(pattern, out)
    assert m, f'"{pattern}" not printed:\n{out}'
    return float(m.group(1))


@pytest.mark.slow
def test_benchmark_pipeline_counts_exact(synthetic_data, tmp_path):
    out_json = str(tmp_path / 'pipe.json')
    proc = run_tool([
        'tools/analysis/benchmark_pipeline.py', SYNTHETIC['simclr'], '--videos',
        synthetic_data['train'], '--video-root', synthetic_data['root'], '--samples', '4', '--json',
        out_json
    ])
    out = proc.stdout
    for name in ('vssl_mm', 'mmaction2'):
        assert re.search(rf'{name}: [\d.]+ samples/s', out)
    assert _figure(out, r'vssl_mm / mmaction2: ([\d.]+)') > 0
    rep = json.load(open(out_json))
    ours, theirs = rep['vssl_mm'], rep['mmaction2']
    # every frame decoded exactly once: decoded == distinct needed, sample by sample
    assert ours['per_sample_decoded'] == ours['per_sample_needed']
    assert ours['decoded_over_needed'] == 1.0
    assert ours['multiviewdecode_decoded_per_sample'] == ours['decoded_per_sample']
    # two views of 8 frames at stride 2 in a 32-frame video: between 8 and 16 distinct
    assert all(8 <= n <= 16 for n in ours['per_sample_needed'])
    # mmaction2's single clip: clip_len 8 at stride 2 -> exactly 8 frames, 8 decoded
    assert rep['mmaction2_clip']['clip_len'] == 8
    assert theirs['per_sample_decoded'] == [8] * 4
    assert theirs['per_sample_needed'] == [8] * 4
    # frames handed to the model: 2 views x 8 frames, and mmaction2's one 8-frame clip
    assert ours['output_frames_per_sample'] == 16 and theirs['output_frames_per_sample'] == 8
    assert _figure(out, r'time per output frame .*: ([\d.]+)') == pytest.approx(
        rep['time_per_output_frame_ratio'], abs=1e-3)


@pytest.mark.slow
def test_benchmark_pipeline_matched_interval(synthetic_data, tmp_path):
    """``--baseline-interval matched``: mmaction2's clip as spread as the method's views;
    an explicit interval is used as given, a bad one is refused by name."""
    import sys
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
    from benchmark_pipeline import main, matched_interval, takes_ceil

    # a clip of L frames at interval r spans (L - 1) r + 1 frames; solve for r
    for clip_len, density in ((16, 2.0), (8, 3.37), (16, 1.0)):
        r = matched_interval(density, clip_len)
        assert ((clip_len - 1) * r + 1) / clip_len == pytest.approx(density)
    assert matched_interval(0.5, 16) == 1.0  # never below 1
    # floor / ceil schedule: the mean interval over samples is r
    for frac in (0.0, 0.25, 0.5, 0.9375):
        picks = [takes_ceil(i, frac) for i in range(1000)]
        assert abs(np.mean(picks) - frac) <= 1 / 1000

    out_json = str(tmp_path / 'pipe.json')
    common = [
        '--videos', synthetic_data['train'], '--video-root', synthetic_data['root'], '--samples',
        '2', '--json', out_json
    ]
    run_tool([
        'tools/analysis/benchmark_pipeline.py', SYNTHETIC['seg_order_rate'], '--baseline-interval',
        'matched'
    ] + common)
    rep = json.load(open(out_json))
    density = rep['matched_from_spanned_per_needed']
    assert density >= 1.0 and rep['vssl_mm']['spanned_per_needed'] >= 1.0
    clip_len = rep['mmaction2_clip']['clip_len']
    assert rep['mmaction2_clip']['frame_interval'] == pytest.approx(
        matched_interval(density, clip_len))
    run_tool(
        ['tools/analysis/benchmark_pipeline.py', SYNTHETIC['simclr'], '--baseline-interval', '3'] +
        common)
    rep = json.load(open(out_json))
    assert rep['mmaction2_clip']['frame_interval'] == 3
    assert rep['matched_from_spanned_per_needed'] is None
    with pytest.raises(ValueError, match="--baseline-interval.*'dense'"):
        main([osp.join(REPO, SYNTHETIC['simclr']), '--baseline-interval', 'dense'] + common)


def test_counting_reader_counts_known_video(synthetic_data):
    """MultiViewDecode on a known 32-frame video asks the reader for the union once."""
    import sys
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
    from benchmark_pipeline import run_instrumented

    from vssl_mm.datasets.transforms.loading import MultiViewDecode, VideoOpen
    video = open(synthetic_data['train']).readline().split()[0]
    path = osp.join(synthetic_data['root'], video)

    class FixedSampler:

        def __call__(self, results):
            results['view_frame_inds'] = [
                np.arange(0, 16, 2),
                np.arange(8, 24, 2),
                np.array([30, 30, 31])
            ]
            return results

    info = run_instrumented([VideoOpen(), FixedSampler(),
                             MultiViewDecode()], dict(filename=path), 'video_reader')
    expected = len(set(range(0, 24, 2)) | {30, 31})  # 12 + 2 = 14
    assert info['needed'] == expected
    assert info['spanned'] == 32  # frames 0 .. 31
    assert info['decoded'] == expected
    assert info['mvd_decoded'] == expected
    views = info['out']['views']
    assert [len(v) for v in views] == [8, 8, 3]
    np.testing.assert_array_equal(views[0][4:], views[1][:4])  # shared frames 8..14
