from .base import BaseVideoSSL
from .clip_contrast import ClipContrast

__all__ = ['BaseVideoSSL', 'ClipContrast']
