"""ctrl_aug's low-level transformations tau_l (Qian et al., 2022, Sec. 3.2, Table 5).

:class:`IntensityLevels` splits the ranges of brightness / contrast / saturation / hue
jitter and Gaussian-blur sigma into discrete intensity levels (4/4/4/2/4 -> 512
combinations by default). The paper's *batch-level* choice ("in each iteration, we
randomly sample 32 intensity levels from all possible levels", 128 clips: 4 per level) is
made by the collate function :func:`~vssl_mm.datasets.collate.ctrl_aug_collate`;
:class:`ControlledLowLevelAug` is the per-sample pipeline version (level drawn uniformly
over all combinations) for pipelines that do not use it. Both record the level id of each
sample (``lowlevel_level``) and the drawn factors (``lowlevel_params``).
"""
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS
from .augment import ClipColorJitter, _as_array


class IntensityLevels:
    """Discrete intensity levels of colour jitter and Gaussian blur (Sec. 3.2, Table 5).

    Each parameter range is split into equal bins: brightness / contrast / saturation
    factors in ``[1 - 0.4, 1 + 0.4]`` (the default jitter (B, C, S, H) = (0.4, 0.4, 0.4,
    0.1) the paper cites), hue shift in ``[-0.1, 0.1]``, Gaussian-blur sigma in
    ``blur_sigma`` (``[0.1, 2.0]``, SimCLR's range; the kernel radius follows sigma as
    ``ceil(3 sigma)``). A level is one bin per parameter: ``num_levels = prod(counts)``
    (4*4*4*2*4 = 512 by default), id = mixed-radix index in the order (B, C, S, H, G).
    Inside a level the factors are drawn uniformly in the bins, per view. The jitter is
    applied in the fixed order B, C, S, H (fixed so that one level means one kind of
    distortion; our choice), then the blur.

    Args:
        counts: ``(#B, #C, #S, #H, #G)`` levels per parameter (Table 5 rows: (2,2,2,2,2),
            (4,4,4,2,4), (4,4,4,4,4), (5,5,5,2,5)).
        brightness, contrast, saturation, hue: jitter strengths.
        blur_sigma: sigma range of the Gaussian blur.
    """

    NAMES = ('brightness', 'contrast', 'saturation', 'hue', 'blur')

    def __init__(self,
                 counts: Sequence[int] = (4, 4, 4, 2, 4),
                 brightness: float = 0.4,
                 contrast: float = 0.4,
                 saturation: float = 0.4,
                 hue: float = 0.1,
                 blur_sigma: Sequence[float] = (0.1, 2.0)) -> None:
        counts = tuple(int(c) for c in counts)
        if len(counts) != 5 or min(counts) < 1:
            raise ValueError(f'counts must be 5 positive ints (B, C, S, H, G), got {counts}')
        self.counts = counts
        self.ranges = ((max(0., 1 - brightness), 1 + brightness), (max(0.,
                                                                       1 - contrast), 1 + contrast),
                       (max(0., 1 - saturation), 1 + saturation), (-hue, hue), tuple(blur_sigma))
        self.num_levels = int(np.prod(counts))

    def decode(self, level: int) -> Tuple[int, ...]:
        """Level id -> bin index of each parameter (B, C, S, H, G)."""
        if not 0 <= level < self.num_levels:
            raise ValueError(f'level {level} out of range [0, {self.num_levels})')
        return tuple(int(i) for i in np.unravel_index(level, self.counts))

    def encode(self, bins: Sequence[int]) -> int:
        return int(np.ravel_multi_index(tuple(bins), self.counts))

    def bin_ranges(self, level: int) -> Dict[str, Tuple[float, float]]:
        """The ``[lo, hi]`` range of each parameter inside ``level``."""
        out = {}
        bins = self.decode(level)
        for name, b, n, (lo, hi) in zip(self.NAMES, bins, self.counts, self.ranges):
            step = (hi - lo) / n
            out[name] = (lo + b * step, lo + (b + 1) * step)
        return out

    def sample_params(self, level: int, rng=np.random) -> Dict[str, float]:
        return {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in self.bin_ranges(level).items()}

    @staticmethod
    def apply(imgs: np.ndarray, params: Dict[str, float]) -> np.ndarray:
        """Apply jitter (B, C, S, H) then blur to ``(T, H, W, 3)`` uint8 frames."""
        out = ClipColorJitter.apply(
            imgs,
            brightness=params['brightness'],
            contrast=params['contrast'],
            saturation=params['saturation'],
            hue=params['hue'],
            order=(0, 1, 2, 3))
        sigma = params['blur']
        if sigma > 0:
            k = 2 * int(np.ceil(3 * sigma)) + 1
            out = np.stack([
                cv2.GaussianBlur(
                    f, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)
                for f in out
            ])
        return out


@TRANSFORMS.register_module()
class ControlledLowLevelAug(BaseTransform):
    """Per-sample tau_l: one intensity level for all views of the sample.

    The level is ``results['lowlevel_level']`` if set, else drawn uniformly over all
    ``prod(counts)`` levels (use :func:`ctrl_aug_collate` for the paper's batch-level
    draw of 32 levels). Applies to ``views`` and ``results[global_key]`` (if present);
    records ``lowlevel_level`` and ``lowlevel_params`` (global first).
    """

    def __init__(self,
                 counts: Sequence[int] = (4, 4, 4, 2, 4),
                 global_key: str = 'global_view',
                 **level_kwargs) -> None:
        self.levels = IntensityLevels(counts, **level_kwargs)
        self.global_key = global_key

    def transform(self, results: Dict) -> Dict:
        level = results.get('lowlevel_level')
        if level is None:
            level = int(np.random.randint(self.levels.num_levels))
        params = []
        for key in (self.global_key, 'views'):
            if key not in results:
                continue
            views = results[key]
            for i, v in enumerate(views):
                p = self.levels.sample_params(level)
                views[i] = self.levels.apply(_as_array(v), p)
                params.append(p)
        results['lowlevel_level'] = int(level)
        results['lowlevel_params'] = params
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(counts={self.levels.counts})'
