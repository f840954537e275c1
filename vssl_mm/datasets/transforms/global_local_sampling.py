"""Time part of ctrl_aug's position transformations tau_p (Qian et al., 2022, Sec. 3.1, 4.2).

The global view ``v`` is ``global_len`` frames sampled sparsely over the whole video (one
frame per equal segment, TSN style); local clip ``v_k`` (k = 1..K) is ``clip_len`` frames
whose centre lies in ``[(k-1)T/K, kT/K]``. Every choice is recorded in raw frame indices
(``ctrl_params``) so that the correspondence S_k (Eq. 1) can be computed from it:

- ``total_frames`` T; ``global_window`` ``(2,)`` = ``[0, T)`` (global cells tile it);
- ``global_frame_inds`` ``(global_len,)``;
- ``local_windows`` ``(K, 2)``: ``[first, last + 1)`` raw frames of each local clip;
- ``local_centres`` ``(K,)``; ``frame_interval`` of the local clips.

The space part is :class:`~vssl_mm.datasets.transforms.global_local_crop.CtrlAugCrop`.
"""
from typing import Dict, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


def local_start_range(k: int, num_clips: int, total: int, span: int) -> Tuple[int, int]:
    """Integer starts ``[lo, hi]`` whose clip centre ``start + span / 2`` lies in bin
    ``k`` (0-based) ``[kT/K, (k+1)T/K]`` and whose frames lie inside ``[0, T)``.

    If no start satisfies both (the video is shorter than ``K * span / 2``), the start
    nearest to the bin inside the video is returned as ``(s, s)``.
    """
    b0, b1 = k * total / num_clips, (k + 1) * total / num_clips
    lo = max(int(np.ceil(b0 - span / 2)), 0)
    hi = min(int(np.floor(b1 - span / 2)), total - span)
    if lo <= hi:
        return lo, hi
    s = int(np.clip(round((b0 + b1) / 2 - span / 2), 0, total - span))
    return s, s


@TRANSFORMS.register_module()
class CtrlAugSampler(BaseTransform):
    """Frame indices of the global view and of K local clips (Sec. 3.1, 4.2).

    View 0 is the global view: ``global_len`` frames, one per equal segment of the video
    (a random frame of the segment in training, its middle in test mode), so global
    feature cell ``m`` of ``T_v`` covers raw frames ``[mT/T_v, (m+1)T/T_v)``. Views
    ``1..K`` are the local clips: ``clip_len`` frames every ``frame_interval``; clip ``k``
    starts at a random integer such that its centre lies in ``[(k-1)T/K, kT/K]``.

    Adds ``view_frame_inds`` (``[global, local_1, ..., local_K]``) and ``ctrl_params``
    (the time keys of the module docstring). Videos shorter than one local clip raise
    ``ValueError`` (the dataset skips and counts them).

    Args:
        num_clips: K (4 in the paper; Table 4: 1-4).
        clip_len: frames per local clip (16).
        frame_interval: raw-frame step inside a local clip (1, our choice; the paper
            does not say). Lowered for videos too short for the span.
        global_len: frames of the global view (16).
        test_mode: deterministic (global: segment middles; local: bin centres).
    """

    def __init__(self,
                 num_clips: int = 4,
                 clip_len: int = 16,
                 frame_interval: int = 1,
                 global_len: int = 16,
                 test_mode: bool = False) -> None:
        if min(num_clips, clip_len, frame_interval, global_len) < 1:
            raise ValueError('num_clips, clip_len, frame_interval and global_len must be '
                             '>= 1')
        self.num_clips = num_clips
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.global_len = global_len
        self.test_mode = test_mode

    def global_indices(self, total: int) -> np.ndarray:
        edges = np.linspace(0, total, self.global_len + 1)
        # integer frames i with edges[j] <= i < edges[j + 1] (one at least: short videos
        # repeat frames)
        lo = np.minimum(np.ceil(edges[:-1]).astype(np.int64), total - 1)
        hi = np.maximum(np.ceil(edges[1:]).astype(np.int64) - 1, lo)  # inclusive
        if self.test_mode:
            return ((lo + hi) // 2).astype(np.int64)
        return np.random.randint(lo, hi + 1).astype(np.int64)

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        if total < self.clip_len:
            raise ValueError(f'video has {total} frames, fewer than clip_len='
                             f'{self.clip_len}: skipped')
        interval = self.frame_interval
        while interval > 1 and (self.clip_len - 1) * interval + 1 > total:
            interval -= 1
        span = (self.clip_len - 1) * interval + 1
        inds = [self.global_indices(total)]
        windows, centres = [], []
        for k in range(self.num_clips):
            lo, hi = local_start_range(k, self.num_clips, total, span)
            start = (lo + hi) // 2 if self.test_mode else np.random.randint(lo, hi + 1)
            inds.append(start + np.arange(self.clip_len, dtype=np.int64) * interval)
            windows.append((start, start + span))
            centres.append(start + span / 2)
        results['view_frame_inds'] = inds
        params = results.setdefault('ctrl_params', {})
        params.update(
            total_frames=total,
            global_window=np.array([0., total], dtype=np.float32),
            global_frame_inds=inds[0].copy(),
            local_windows=np.array(windows, dtype=np.float32),
            local_centres=np.array(centres, dtype=np.float32),
            frame_interval=interval)
        results['clip_len'] = self.clip_len
        results['num_clips'] = self.num_clips
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_clips={self.num_clips}, clip_len='
                f'{self.clip_len}, frame_interval={self.frame_interval}, global_len='
                f'{self.global_len}, test_mode={self.test_mode})')
