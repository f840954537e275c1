"""Every benchmark config parses and builds its model (paper backbones whose base file
lives on another branch are skipped until it lands)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import REPO as ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs/benchmarks/*/*.py')))


def test_expected_config_grid():
    names = {osp.relpath(p, osp.join(ROOT, 'configs/benchmarks')) for p in CONFIGS}
    for bb in ('c3d', 'r3d10', 'r3d18', 'r3d34', 'r21d10', 'r21d18', 's3d', 's3dg'):
        for data in ('ucf101_split1', 'ucf101_split2', 'ucf101_split3', 'hmdb51_split1',
                     'hmdb51_split2', 'hmdb51_split3', 'diving48_v1'):
            assert f'finetune/{bb}_{data}.py' in names
            assert f'linear_probe/{bb}_{data}.py' in names
        assert f'retrieval/{bb}_ucf101.py' in names


# every config is also built by test_config_layout.py (fast set); this pass is in the full run
@pytest.mark.slow
@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds(path):
    bb = osp.basename(path).split('_')[0]
    if not osp.isfile(osp.join(ROOT, f'configs/_base_/models/{bb}.py')):
        pytest.skip(f'configs/_base_/models/{bb}.py comes with the backbones branch')
    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    name = osp.basename(path)
    if '/retrieval/' in path:
        assert cfg.test_evaluator.type == 'RetrievalMetric'
        assert cfg.test_dataloader.dataset.pipeline[1].num_clips == 10
    else:
        if 'hmdb51' in name:
            assert cfg.model.cls_head.num_classes == 51
        if 'diving48' in name:
            assert cfg.model.cls_head.num_classes == 48
        assert cfg.model.cls_head.average_clips == 'prob'
        test_sampler = cfg.test_dataloader.dataset.pipeline[1]
        if 'hdctest' in name:
            assert test_sampler.type == 'NonOverlappingClips'
        else:
            assert test_sampler.num_clips == 10 and test_sampler.test_mode
        assert cfg.model.backbone.get('pretrained2d', False) is False
    if '/linear_probe/' in path:
        model.train()
        assert not model.backbone.training
        assert not any(p.requires_grad for p in model.backbone.parameters())
