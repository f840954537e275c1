"""SyntheticEvaluator.check_backbone: a backbone that cannot take the eval clips is
reported before any training, naming the backbone and the clip."""
import os.path as osp
import subprocess
import sys

import pytest
import yaml
from mmengine.config import Config

from tests.conftest import REPO
from vssl_mm.evaluation.synthetic_eval import SyntheticEvaluator

C3D = osp.join(REPO, 'configs', 'seg_order_rate', 'c3d_synthetic_camera.py')
R3D = osp.join(REPO, 'configs', 'mlrep', 'r3d18_synthetic_camera.py')


def test_check_backbone_names_the_backbone_and_the_clip(synthetic_data):
    short = SyntheticEvaluator(synthetic_data['root'], clip_len=8, num_clips=1, size=64)
    with pytest.raises(
            ValueError,
            match=r'C3DTrunk cannot embed the evaluation clips of 8 '
            r'frames at 64x64 .*eval.clip_len'):
        short.check_backbone(Config.fromfile(C3D))
    short.check_backbone(Config.fromfile(R3D))  # R3D takes 8 frames
    SyntheticEvaluator(
        synthetic_data['root'], clip_len=16, num_clips=1,
        size=64).check_backbone(Config.fromfile(C3D))


def test_learning_benchmark_stops_before_training(tmp_path):
    """A protocol pairing C3D with 8-frame eval clips fails in seconds, before any run."""
    with open(osp.join(REPO, 'configs', 'benchmarks', 'learning_signal', 'quickstart.yml')) as f:
        p = yaml.safe_load(f)
    p['methods'] = dict(c3d=dict(config='configs/seg_order_rate/c3d_synthetic_camera.py'))
    p['eval']['clip_len'] = 8
    protocol = tmp_path / 'protocol.yml'
    protocol.write_text(yaml.safe_dump(p))
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'analysis', 'learning_benchmark.py'), '--protocol',
        str(protocol), '--train-per-class', '1', '--val-per-class', '1', '--iters', '1',
        '--batch-size', '8', '--eval-every', '1', '--frames', '32', '--video-size', '64',
        '--work-dir',
        str(tmp_path / 'work')
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert 'C3DTrunk cannot embed the evaluation clips of 8 frames' in proc.stderr
    assert not (tmp_path / 'work' / 'runs').exists()
