"""Benchmark tools, --amp on CPU and activation checkpointing for every method."""
import json
import os.path as osp
import re

import numpy as np
import pytest
import torch

from ..conftest import REPO, run_tool, synthetic_cfg_options

SYNTHETIC = {
    'simclr': 'configs/simclr/r3d18_synthetic.py',
    'seg_order_rate': 'configs/seg_order_rate/r21d_synthetic.py',
    'hdc': 'configs/hdc/r3d18_synthetic.py',
    'mlrep': 'configs/mlrep/r3d18_synthetic.py',
    'ctrl_aug': 'configs/ctrl_aug/r3d18_synthetic.py',
}
# ctrl_aug_collate needs whole groups of samples_per_level: a batch of 2 is one level of 2
LEVEL_GROUPS = {'ctrl_aug': {'train_dataloader.collate_fn.samples_per_level': 2}}


def _figure(out: str, pattern: str) -> float:
    m = re.search(pattern, out)
    assert m, f'"{pattern}" not printed:\n{out}'
    return float(m.group(1))


def test_benchmark_train_step_prints_every_figure(synthetic_data):
    proc = run_tool([
        'tools/analysis/benchmark_train_step.py', SYNTHETIC['ctrl_aug'], '--batch', '2', '--iters',
        '1', '--warmup', '1', '--videos', synthetic_data['train'], '--video-root',
        synthetic_data['root'], '--cfg-options', 'train_dataloader.collate_fn.samples_per_level=2'
    ])
    out = proc.stdout
    step = _figure(out, r'step time \(a\): ([\d.]+) ms')
    bb = _figure(out, r'backbone passes time \(b\): ([\d.]+) ms')
    ratio = _figure(out, r'ratio \(a\)/\(b\): ([\d.]+)')
    assert step > 0 and bb > 0
    assert ratio == pytest.approx(step / bb, rel=0.02)
    # one iteration: the per-iteration ratio is the ratio itself
    assert _figure(out, r'per-iteration ratios \(a_i\)/\(b_i\): median ([\d.]+)') == \
        pytest.approx(step / bb, rel=0.02)
    # CtrlAug runs the local clips and the global view (own temporal strides): 2 passes
    assert _figure(out, r'backbone passes per step: (\d+)') == 2
    assert 'temporal_strides' in out
    assert _figure(out, r'after step (\d+) MiB') > 0
    assert re.search(r'losses: .*loss_rc=', out)


def test_benchmark_train_step_input_rescale_and_momentum_encoder(synthetic_data):
    """seg_order_rate: query + momentum key encoder (no grad) passes, rescaled input."""
    proc = run_tool([
        'tools/analysis/benchmark_train_step.py', SYNTHETIC['seg_order_rate'], '--batch', '2',
        '--iters', '1', '--input', '8x48x48', '--threads', '1', '--videos', synthetic_data['train'],
        '--video-root', synthetic_data['root']
    ])
    assert 'threads: 1 ' in proc.stdout
    passes = re.findall(r'pass: \w+ input \(([\d, ]+)\) grad=(\w+)', proc.stdout)
    assert passes, proc.stdout
    for shape, _ in passes:
        assert tuple(int(s) for s in shape.split(','))[-2:] == (48, 48)
    assert _figure(proc.stdout, r'ratio \(a\)/\(b\): ([\d.]+)') > 0


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


def test_cpu_amp_optim_wrapper_autocasts_bf16():
    from vssl_mm.engine.optimizers import CPUAmpOptimWrapper, amp_optim_wrapper_type
    model = torch.nn.Linear(4, 3)
    ow = CPUAmpOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with ow.optim_context(model):
        y = model(torch.randn(2, 4))
    assert y.dtype == torch.bfloat16
    before = model.weight.detach().clone()
    ow.update_params(y.float().sum())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(before, model.weight)
    assert amp_optim_wrapper_type('cpu') == 'CPUAmpOptimWrapper'
    assert amp_optim_wrapper_type('cuda') == 'AmpOptimWrapper'


def _one_step_options(synthetic_data, work_dir, **extra):
    opts = dict(extra)
    opts.update({
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.indices': 2
    })  # one iteration
    return synthetic_cfg_options(synthetic_data, work_dir, **opts)


def _losses_in_log(out: str):
    vals = [float(v) for v in re.findall(r'\bloss: ([-\d.na]+)', out)]
    assert vals, out[-3000:]
    assert all(np.isfinite(vals)), vals
    return vals


@pytest.mark.parametrize('method', sorted(SYNTHETIC))
def test_amp_step_cpu(method, synthetic_data, tmp_path):
    work = str(tmp_path / 'amp')
    proc = run_tool(['tools/train.py', SYNTHETIC[method], '--amp'] +
                    _one_step_options(synthetic_data, work, **LEVEL_GROUPS.get(method, {})))
    _losses_in_log(proc.stdout + proc.stderr)
    dumped = open(osp.join(work, osp.basename(SYNTHETIC[method]))).read()
    assert 'CPUAmpOptimWrapper' in dumped


@pytest.mark.parametrize('method', sorted(SYNTHETIC))
def test_with_cp_step(method, synthetic_data, tmp_path):
    work = str(tmp_path / 'cp')
    proc = run_tool(['tools/train.py', SYNTHETIC[method]] + _one_step_options(
        synthetic_data, work, **{'model.backbone.with_cp': True}, **LEVEL_GROUPS.get(method, {})))
    _losses_in_log(proc.stdout + proc.stderr)
    dumped = open(osp.join(work, osp.basename(SYNTHETIC[method]))).read()
    assert re.search(r'with_cp\s*=\s*True', dumped)


def test_benchmark_transforms_prints_every_figure(tmp_path):
    out_json = str(tmp_path / 'tf.json')
    proc = run_tool([
        'tools/analysis/benchmark_transforms.py', '--clip', '4x16x16', '--views', '2', '--calls',
        '2', '--json', out_json
    ])
    rep = json.load(open(out_json))
    assert len(rep['timings']) == 4
    for name, r in rep['timings'].items():
        assert name in proc.stdout
        assert r['reference_ms'] > 0 and r['ours_ms'] > 0
        assert r['ratio'] == pytest.approx(r['ours_ms'] / r['reference_ms'])
