"""Registries: vssl_mm scope falls back to mmaction2; mmaction2 scope reaches vssl_mm."""
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

from vssl_mm.registry import MODELS, TRANSFORMS


def test_vssl_scope_uses_mmaction_types_unprefixed():
    assert MODELS.scope == 'vssl_mm' and MODELS.parent.scope == 'mmaction'
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        backbone = MODELS.build(
            dict(type='ResNet3d', depth=18, pretrained=None, pretrained2d=False, base_channels=8))
    assert type(backbone).__module__.startswith('mmaction.')
    assert TRANSFORMS.get('SampleFrames') is not None  # mmaction transform
    assert TRANSFORMS.get('MultiViewDecode').__module__.startswith('vssl_mm.')


def test_mmaction_scoped_config_reaches_vssl_types():
    cfg = Config(
        dict(
            default_scope='mmaction',
            custom_imports=dict(imports=['vssl_mm'], allow_failed_imports=False),
            model=dict(
                type='Recognizer3D',
                backbone=dict(
                    type='ResNet3d', depth=18, pretrained=None, pretrained2d=False,
                    base_channels=8),
                neck=dict(
                    type='vssl_mm.MLPProjection', in_channels=64, out_channels=64, num_layers=1),
                cls_head=dict(type='I3DHead', num_classes=3, in_channels=64))))
    from mmaction.registry import MODELS as MMACTION_MODELS
    with DefaultScope.overwrite_default_scope('mmaction'):
        # the neck is a vssl_mm type: only reachable with the prefix
        neck = MMACTION_MODELS.build(cfg.model.neck)
        model = MMACTION_MODELS.build(cfg.model)
    assert type(neck).__module__ == 'vssl_mm.models.necks.projection'
    assert type(model).__name__ == 'Recognizer3D'
    assert model.neck(torch.randn(2, 64)).shape == (2, 64)


def test_register_all_modules_sets_scope():
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'vssl_mm'
    init_default_scope('vssl_mm')
