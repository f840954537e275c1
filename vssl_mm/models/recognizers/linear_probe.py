"""Linear-probe recognizer: mmaction2's ``Recognizer3D`` with a frozen backbone.

The backbone's parameters have ``requires_grad=False`` and it stays in eval mode (BN
statistics do not move) whatever ``train()`` is called with; only the head learns
(:class:`~vssl_mm.models.heads.BNLinearHead` in the benchmark configs). Parameter names
are unchanged (``backbone.*``), so exported backbones and full checkpoints load as usual.
"""
from mmaction.models.recognizers import Recognizer3D
from mmengine.logging import print_log

from vssl_mm.registry import MODELS


@MODELS.register_module()
class LinearProbeRecognizer3D(Recognizer3D):
    """``Recognizer3D`` with a frozen backbone in eval mode (linear probe)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        self.backbone.eval()

    def init_weights(self) -> None:
        super().init_weights()
        if getattr(self.backbone, 'pretrained', 'unknown') is None:
            print_log(
                'LinearProbeRecognizer3D: backbone.pretrained is None, the probe '
                'runs on a randomly initialised backbone (set model.backbone.'
                'pretrained=BACKBONE.pth or load_from=SSL_CKPT)',
                logger='current',
                level=30)

    def train(self, mode: bool = True) -> 'LinearProbeRecognizer3D':
        super().train(mode)
        self.backbone.eval()
        return self
