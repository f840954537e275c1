"""tools/analysis/benchmark_train_step.py."""

import re

import pytest

from tests.conftest import run_tool

pytestmark = pytest.mark.slow

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
