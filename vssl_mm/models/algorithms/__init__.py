from .base import BaseVideoSSL
from .clip_contrast import ClipContrast
from .ctrl_aug import CtrlAug
from .hdc import HDC
from .mlrep import MLRep
from .seg_order_rate import SegOrderRate
from .view_synthesis import FrameFlowEstimator, VideoVAE, ViewSynthesis

__all__ = [
    'BaseVideoSSL', 'ClipContrast', 'SegOrderRate', 'ViewSynthesis', 'VideoVAE',
    'FrameFlowEstimator', 'MLRep', 'HDC', 'CtrlAug'
]
