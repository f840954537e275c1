"""tools/analysis/get_flops.py reports params and FLOPs of a config's backbone."""
import os.path as osp
import subprocess
import sys

import pytest

import vssl_mm  # noqa: F401

pytestmark = pytest.mark.slow

ROOT = osp.join(osp.dirname(__file__), '..', '..', '..')


def test_get_flops_cli():
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools', 'analysis', 'get_flops.py'),
        osp.join(ROOT, 'configs', '_base_', 'models', 'r3d10.py'), '--shape', '1', '3', '16', '32',
        '32', '--cfg-options', 'model.backbone.base_channels=8'
    ]
    env = dict(__import__('os').environ, PYTHONPATH=osp.abspath(ROOT))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    # depth-10, width 8: 64x 3x3x3 convs ... counted exactly by the model itself
    from vssl_mm.models.backbones import ResNet3dSSL
    n = sum(p.numel() for p in ResNet3dSSL(depth=10, base_channels=8).parameters())
    assert f'({n})' in out
    assert 'FLOPs:' in out and 'FLOPs: 0.00 G' not in out
    assert '(1, 64, 2, 1, 1)' in out
