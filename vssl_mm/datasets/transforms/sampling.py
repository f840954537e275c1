"""Frame-index samplers for multi-view self-supervised learning.

Samplers only decide indices (``view_frame_inds``); :class:`MultiViewDecode` decodes them.
"""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


def fit_interval(total_frames: int, clip_len: int, frame_interval: int) -> int:
    """Largest interval <= ``frame_interval`` whose clip fits in the video (>= 1)."""
    interval = frame_interval
    while interval > 1 and (clip_len - 1) * interval + 1 > total_frames:
        interval -= 1
    return interval


def clip_indices(start: int, clip_len: int, interval: int, total_frames: int) -> np.ndarray:
    """Indices ``start + k * interval``; a video shorter than the clip loops (mod)."""
    return (start + np.arange(clip_len) * interval) % total_frames


@TRANSFORMS.register_module()
class RandomClipsSampler(BaseTransform):
    """``num_views`` clips of ``clip_len`` frames, each from an independent random start.

    The plain clip-contrast baseline: two clips of one video are positives. Short videos
    fall back to a smaller frame interval, and a video shorter than ``clip_len`` loops.

    Args:
        clip_len: frames per view.
        frame_interval: temporal stride in the raw video.
        num_views: clips per sample.
        test_mode: if True, views are spread uniformly (deterministic).
    """

    def __init__(self,
                 clip_len: int = 16,
                 frame_interval: int = 1,
                 num_views: int = 2,
                 test_mode: bool = False) -> None:
        if clip_len < 1 or frame_interval < 1 or num_views < 1:
            raise ValueError(f'clip_len, frame_interval, num_views must be >= 1, got '
                             f'{clip_len}, {frame_interval}, {num_views}')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.num_views = num_views
        self.test_mode = test_mode

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        interval = fit_interval(total, self.clip_len, self.frame_interval)
        span = (self.clip_len - 1) * interval + 1
        max_start = max(total - span, 0)
        if self.test_mode:
            starts = np.linspace(0, max_start, self.num_views + 2)[1:-1].round().astype(int) \
                if self.num_views > 1 else np.array([max_start // 2])
        else:
            starts = np.random.randint(0, max_start + 1, size=self.num_views)
        results['view_frame_inds'] = [
            clip_indices(int(s), self.clip_len, interval, total) for s in starts
        ]
        results['clip_len'] = self.clip_len
        results['frame_interval'] = interval
        results['num_clips'] = self.num_views
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, frame_interval='
                f'{self.frame_interval}, num_views={self.num_views}, '
                f'test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class UniformClipsSampler(BaseTransform):
    """``num_clips`` clips at uniformly spaced starts (evaluation: retrieval, features).

    Clip ``i`` starts at the centre of the ``i``-th of ``num_clips`` equal segments of the
    valid start range, as in mmaction2's test-mode ``SampleFrames``.
    """

    def __init__(self, clip_len: int = 16, frame_interval: int = 1, num_clips: int = 10) -> None:
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.num_clips = num_clips

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        interval = fit_interval(total, self.clip_len, self.frame_interval)
        span = (self.clip_len - 1) * interval + 1
        max_start = max(total - span, 0)
        step = (max_start + 1) / self.num_clips
        starts = (step * np.arange(self.num_clips) + step / 2).astype(int)
        starts = np.minimum(starts, max_start)
        results['view_frame_inds'] = [
            clip_indices(int(s), self.clip_len, interval, total) for s in starts
        ]
        results['clip_len'] = self.clip_len
        results['frame_interval'] = interval
        results['num_clips'] = self.num_clips
        return results
