"""Parameter counts of the paper architectures, built from configs/_base_/models."""
import os.path as osp

import pytest
from mmengine.config import Config

import vssl_mm  # noqa: F401
from vssl_mm.registry import MODELS

CFG_DIR = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models')

# measured counts (exact) and the papers' numbers (None: no number in the papers)
EXPECTED = {
    'c3d': (27_655_936, 27.7e6),
    'r3d10': (14_399_424, 14.2e6),
    'r3d18': (33_203_904, 33.0e6),
    'r3d34': (63_513_536, None),
    'r21d10': (14_414_625, 14.4e6),
    'r21d18': (33_227_745, None),
    's3d': (7_893_664, None),
    's3dg': (9_118_672, None),
    'slowfast': (33_557_288, None),  # SlowFast-R50, tau 4, alpha 4 (mlrep Table 3)
}


def _build(name):
    cfg = Config.fromfile(osp.join(CFG_DIR, f'{name}.py'))
    assert set(cfg.keys()) == {'model'} and set(cfg.model.keys()) == {'backbone'}
    return MODELS.build(cfg.model.backbone)


@pytest.mark.parametrize('name', list(EXPECTED))
def test_param_counts(name):
    n = sum(p.numel() for p in _build(name).parameters())
    exact, paper = EXPECTED[name]
    assert n == exact
    if paper is not None:
        assert abs(n - paper) / paper < 0.03


def test_s3dg_with_kinetics_logits_matches_paper():
    """The paper's 9.6M includes the 1x1x1 logits conv (1024 -> 400)."""
    n = sum(p.numel() for p in _build('s3dg').parameters()) + 1024 * 400 + 400
    assert abs(n - 9.6e6) / 9.6e6 < 0.01
