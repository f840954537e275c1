"""S3D from a plain mmaction2 recognizer config (custom_imports + ``vssl_mm.`` prefix)."""
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

CFG = """
default_scope = 'mmaction'
custom_imports = dict(imports=['vssl_mm'], allow_failed_imports=False)
model = dict(
    type='Recognizer3D',
    backbone=dict(type='vssl_mm.S3D', gating=True, return_tuple=False),
    cls_head=dict(
        type='I3DHead', in_channels=1024, num_classes=5, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', format_shape='NCTHW'))
"""


def test_s3d_in_mmaction_recognizer(tmp_path):
    path = tmp_path / 'recognizer.py'
    path.write_text(CFG)
    cfg = Config.fromfile(str(path))  # imports vssl_mm through custom_imports
    from mmaction.registry import MODELS
    from vssl_mm.models.backbones import S3D
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    assert isinstance(model.backbone, S3D) and model.backbone.gating
    model.init_weights()
    model.eval()
    with torch.no_grad():
        x = torch.randn(2, 1, 3, 8, 32, 32)
        feats = model(x, mode='tensor')  # stage='backbone'
        scores = model(x, mode='tensor', stage='head')
    assert isinstance(feats, torch.Tensor) and feats.shape == (2, 1024, 1, 1, 1)
    assert scores.shape == (2, 5)
