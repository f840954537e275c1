"""mlrep sampler and per-frame colour transforms (Multi-level Feature Optimization, ICCV'21).

Sampling follows the authors' code (the paper is silent): one window of ``window_len``
(32) frames read at a continuous random rate ``r ~ U[1, min(max_rate, total / window_len)]``
from a random start; view 0 = window frames ``0 .. w/2-1``, view 1 = frames
``w/2 .. w-1`` (two adjacent short clips, Eq. 13's ``v_s``), view 2 = every
``global_stride``-th (2nd) frame of the window (the long "global" clip ``v_l`` covering
both). All three views have ``window_len / 2`` frames, so they pack into one
``(3, C, T, H, W)`` tensor. Every frame is decoded once by ``MultiViewDecode``.

Crop and flip are consistent within a clip (``ViewsApply`` with mmaction's
``RandomResizedCrop`` / ``Flip``); colour jitter and grey are drawn per frame
(:class:`FrameColorJitter`, :class:`FrameGrayscale`), as in the authors' code.
"""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS
from .augment import ClipColorJitter, _as_array, grey_rgb


def window_indices(start: float, rate: float, window_len: int) -> np.ndarray:
    """``floor(start + k * rate)`` for ``k < window_len`` (strictly increasing for r >= 1)."""
    return np.floor(start + np.arange(window_len) * rate).astype(np.int64)


@TRANSFORMS.register_module()
class MultiLevelWindowSampler(BaseTransform):
    """Two adjacent short clips and one global clip from one window (mlrep).

    Adds ``view_frame_inds`` (3 int arrays of ``window_len // 2`` frames: short clip 0,
    short clip 1, global clip), ``window_inds`` (``(window_len,)``), ``sample_rate``
    (float, the continuous rate used) and ``clip_len``.

    Short videos: the rate upper bound is ``min(max_rate, total / window_len)``; a video
    with fewer than ``window_len`` frames raises ``ValueError`` (the dataset skips and
    counts it) unless ``short_video='loop'`` (rate 1, indices modulo the length).

    Args:
        window_len: frames in the window (32; each short clip has half of it).
        max_rate: upper bound of the continuous rate (3).
        global_stride: the global clip takes every ``global_stride``-th window frame (2).
        short_video: ``'skip'`` or ``'loop'``.
    """

    def __init__(self,
                 window_len: int = 32,
                 max_rate: float = 3.0,
                 global_stride: int = 2,
                 short_video: str = 'skip') -> None:
        if window_len < 2 or window_len % 2:
            raise ValueError(f'window_len must be even and >= 2, got {window_len}')
        if window_len % global_stride or window_len // global_stride != window_len // 2:
            raise ValueError('the global clip must have window_len // 2 frames '
                             f'(global_stride=2), got global_stride={global_stride}')
        if max_rate < 1:
            raise ValueError(f'max_rate must be >= 1, got {max_rate}')
        if short_video not in ('skip', 'loop'):
            raise ValueError(f"short_video must be 'skip' or 'loop', got {short_video!r}")
        self.window_len = window_len
        self.max_rate = float(max_rate)
        self.global_stride = global_stride
        self.short_video = short_video

    def sample_window(self, total: int, rng=np.random) -> tuple:
        """``(window indices (window_len,), rate)`` for a video of ``total`` frames."""
        w = self.window_len
        if total < w:
            if self.short_video == 'skip':
                raise ValueError(f'video has {total} frames, fewer than the window of {w}')
            start = rng.randint(0, total)
            return (start + np.arange(w)) % total, 1.0
        high = min(self.max_rate, total / w)
        rate = float(rng.uniform(1.0, high)) if high > 1 else 1.0
        # last index floor(start + (w-1) r) <= total - 1  <=>  start < total - (w-1) r
        max_start = max(total - (w - 1) * rate - 1, 0.0)
        start = float(rng.uniform(0.0, max_start))
        inds = window_indices(start, rate, w)
        return np.minimum(inds, total - 1), rate

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        inds, rate = self.sample_window(total)
        half = self.window_len // 2
        results['view_frame_inds'] = [inds[:half], inds[half:], inds[::self.global_stride]]
        results['window_inds'] = inds
        results['sample_rate'] = rate
        results['clip_len'] = half
        results['num_clips'] = 3
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(window_len={self.window_len}, max_rate='
                f'{self.max_rate}, global_stride={self.global_stride}, '
                f'short_video={self.short_video!r})')


@TRANSFORMS.register_module()
class FrameColorJitter(ClipColorJitter):
    """Colour jitter with independent factors for every frame (mlrep: 0.5, 0.5, 0.5, 0.25).

    Same factor ranges and operations as :class:`ClipColorJitter`; each frame draws its
    own factors (applied with probability ``p`` per frame). ``results['color_jitter']``
    becomes a list with one factor dict per frame.
    """

    def __init__(self,
                 brightness: float = 0.5,
                 contrast: float = 0.5,
                 saturation: float = 0.5,
                 hue: float = 0.25,
                 p: float = 1.0,
                 backend: str = 'uint8') -> None:
        super().__init__(brightness, contrast, saturation, hue, p, backend)

    def transform(self, results: Dict) -> Dict:
        imgs = _as_array(results['imgs']).copy()
        num_frames = imgs.shape[0]
        # every frame's draws at once: applied?, 4 factors, an order of the 4 operations
        applied = np.random.rand(num_frames) < self.p
        draws = [
            np.random.uniform(max(0, 1 - r), 1 + r, num_frames)
            for r in (self.brightness, self.contrast, self.saturation)
        ]
        hues = np.random.uniform(-self.hue, self.hue, num_frames)
        orders = np.argsort(np.random.rand(num_frames, 4), axis=1)
        factors = []
        for t in range(num_frames):  # per-frame factors: OpenCV calls on one frame each
            if applied[t]:
                f = dict(
                    brightness=float(draws[0][t]),
                    contrast=float(draws[1][t]),
                    saturation=float(draws[2][t]),
                    hue=float(hues[t]),
                    order=tuple(int(i) for i in orders[t]))
                imgs[t:t + 1] = self._apply(imgs[t:t + 1], **f)
            else:
                f = dict(brightness=1., contrast=1., saturation=1., hue=0., order=(0, 1, 2, 3))
            factors.append(f)
        results['imgs'] = imgs
        results['color_jitter'] = factors
        return results


@TRANSFORMS.register_module()
class FrameGrayscale(BaseTransform):
    """Turn each frame grey independently with probability ``p`` (mlrep: 0.5).

    ``results['grayscale']`` becomes a ``(T,)`` bool array.
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def transform(self, results: Dict) -> Dict:
        imgs = _as_array(results['imgs'])
        grey = np.random.rand(imgs.shape[0]) < self.p
        if grey.any():
            imgs = imgs.copy()
            imgs[grey] = grey_rgb(imgs[grey])
        results['imgs'] = imgs
        results['grayscale'] = grey
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(p={self.p})'
