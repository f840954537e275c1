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
    model.eval()
    with torch.no_grad():
        x = torch.randn(2, 1, 3, 8, 32, 32)
        feats = model(x, mode='tensor')  # stage='backbone'
        scores = model(x, mode='tensor', stage='head')
    assert isinstance(feats, torch.Tensor) and feats.shape == (2, 1024, 1, 1, 1)
    assert scores.shape == (2, 5)


def test_resnet3dssl_pretrained_inside_mmaction_recognizer(tmp_path):
    """A full SSL checkpoint reaches the backbone of a plain mmaction2 recognizer."""
    from mmaction.registry import MODELS

    import vssl_mm  # noqa: F401
    from vssl_mm.models.backbones import ResNet3dSSL
    src = ResNet3dSSL(depth=10, base_channels=8)
    with torch.no_grad():
        for p in src.parameters():
            p.normal_()
    ckpt = str(tmp_path / 'ssl.pth')
    torch.save({'state_dict': {'backbone.' + k: v for k, v in src.state_dict().items()}}, ckpt)
    cfg = dict(
        type='Recognizer3D',
        backbone=dict(
            type='vssl_mm.ResNet3dSSL',
            depth=10,
            base_channels=8,
            return_tuple=False,
            init_cfg=dict(type='Pretrained', checkpoint=ckpt, prefix='backbone.')),
        cls_head=dict(type='I3DHead', in_channels=64, num_classes=3),
        data_preprocessor=dict(type='ActionDataPreprocessor', format_shape='NCTHW'))
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg)
    model.init_weights()
    for k, v in src.state_dict().items():
        assert torch.equal(model.backbone.state_dict()[k], v), k
