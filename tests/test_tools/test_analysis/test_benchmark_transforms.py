"""tools/analysis/benchmark_transforms.py."""

import json

import pytest

from tests.conftest import run_tool

pytestmark = pytest.mark.slow


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
