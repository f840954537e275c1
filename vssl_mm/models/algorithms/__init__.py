from .base import BaseVideoSSL
from .clip_contrast import ClipContrast

__all__ = ['BaseVideoSSL', 'ClipContrast']
from .seg_order_rate import SegOrderRate  # noqa: E402
from .view_synthesis import (FrameFlowEstimator, VideoVAE,  # noqa: E402
                             ViewSynthesis)

__all__ += ['SegOrderRate', 'ViewSynthesis', 'VideoVAE', 'FrameFlowEstimator']
from .mlrep import MLRep  # noqa: E402

__all__ += ['MLRep']
from .hdc import HDC  # noqa: E402

__all__ += ['HDC']
from .ctrl_aug import CtrlAug  # noqa: E402

__all__ += ['CtrlAug']
from .tutorial_arrow_of_time import TutorialArrowOfTime  # noqa: E402

__all__ += ['TutorialArrowOfTime']
