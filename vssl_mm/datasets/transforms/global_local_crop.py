"""Space part of ctrl_aug's position transformations tau_p (Qian et al., 2022, Sec. 3.1, 4.2).

A weak random crop of the raw frames for the global view ``v``; each local clip ``v_k`` is
cropped inside the global crop box; each view is resized to ``out_size`` and may be flipped
horizontally. Recorded in ``ctrl_params`` (raw pixel coordinates):

- ``boxes`` ``(1 + K, 4)`` ``(x0, y0, x1, y1)`` crop boxes (row 0: global);
- ``flips`` ``(1 + K,)`` bool; ``raw_shape`` ``(H, W)``; ``out_size`` ``(h, w)``.

The time part is :class:`~vssl_mm.datasets.transforms.global_local_sampling.CtrlAugSampler`.
"""
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


def random_box(width: float,
               height: float,
               area_range: Sequence[float],
               aspect_range: Sequence[float],
               rng=np.random,
               max_attempts: int = 10) -> Tuple[int, int, int, int]:
    """Integer ``(x0, y0, x1, y1)`` box inside ``width x height`` (RandomResizedCrop)."""
    area = width * height
    log_r = np.log(aspect_range)
    for _ in range(max_attempts):
        target = rng.uniform(*area_range) * area
        ratio = np.exp(rng.uniform(*log_r))
        w = int(round(np.sqrt(target * ratio)))
        h = int(round(np.sqrt(target / ratio)))
        if 0 < w <= width and 0 < h <= height:
            x0 = rng.randint(0, int(width) - w + 1)
            y0 = rng.randint(0, int(height) - h + 1)
            return x0, y0, x0 + w, y0 + h
    side = int(min(width, height))  # fallback: centred square
    x0, y0 = (int(width) - side) // 2, (int(height) - side) // 2
    return x0, y0, x0 + side, y0 + side


def cut_view(frames: np.ndarray, box: Sequence[int], flip: bool,
             out_size: Tuple[int, int]) -> np.ndarray:
    """Crop ``(T, H, W, 3)`` frames to ``box``, resize to ``out_size`` (h, w), flip."""
    x0, y0, x1, y1 = [int(v) for v in box]
    crop = frames[:, y0:y1, x0:x1]
    h, w = out_size
    out = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR) for f in crop])
    if flip:
        out = out[:, :, ::-1]
    return np.ascontiguousarray(out)


@TRANSFORMS.register_module()
class CtrlAugCrop(BaseTransform):
    """Global weak crop, local crops inside it, resize and flips (Sec. 3.1, 4.2).

    Requires ``views`` from :class:`MultiViewDecode` in the order of
    :class:`CtrlAugSampler` (global first). The global box is a random-resized-crop box of
    the raw frame with area in ``global_area`` (weak); each local box is a
    random-resized-crop box *of the global box* (area relative to it) and so lies inside
    it. Every view is resized to ``out_size`` and flipped with its own probability.

    Moves the global view to ``results[global_key]`` (a one-element list, packed through
    ``PackMultiViewInputs(extra_view_keys=...)`` since its length may differ from the
    clips') and leaves the K local clips in ``views``. Records ``boxes``, ``flips``,
    ``raw_shape`` and ``out_size`` in ``ctrl_params``.

    Args:
        out_size: ``(h, w)`` or an int (112 in the paper).
        global_area: area range of the global box relative to the frame (our choice).
        local_area: area range of a local box relative to the global box (our choice).
        aspect_range: aspect ratio range (w / h) of all boxes.
        global_flip_ratio, local_flip_ratio: flip probabilities.
        global_key: where the global view goes.
    """

    def __init__(self,
                 out_size=112,
                 global_area: Sequence[float] = (0.5, 1.0),
                 local_area: Sequence[float] = (0.25, 1.0),
                 aspect_range: Sequence[float] = (3 / 4, 4 / 3),
                 global_flip_ratio: float = 0.5,
                 local_flip_ratio: float = 0.5,
                 global_key: str = 'global_view') -> None:
        self.out_size = (out_size, out_size) if isinstance(out_size, int) else tuple(out_size)
        self.global_area = tuple(global_area)
        self.local_area = tuple(local_area)
        self.aspect_range = tuple(aspect_range)
        self.global_flip_ratio = global_flip_ratio
        self.local_flip_ratio = local_flip_ratio
        self.global_key = global_key

    def transform(self, results: Dict) -> Dict:
        views: List[np.ndarray] = results['views']
        height, width = views[0].shape[1:3]
        gx0, gy0, gx1, gy1 = random_box(width, height, self.global_area, self.aspect_range)
        boxes = [(gx0, gy0, gx1, gy1)]
        for _ in views[1:]:
            x0, y0, x1, y1 = random_box(gx1 - gx0, gy1 - gy0, self.local_area, self.aspect_range)
            boxes.append((gx0 + x0, gy0 + y0, gx0 + x1, gy0 + y1))
        flips = [bool(np.random.rand() < self.global_flip_ratio)
                 ] + [bool(np.random.rand() < self.local_flip_ratio) for _ in views[1:]]
        cut = [cut_view(v, b, f, self.out_size) for v, b, f in zip(views, boxes, flips)]
        results[self.global_key] = [cut[0]]
        results['views'] = cut[1:]
        results['img_shape'] = self.out_size
        params = results.setdefault('ctrl_params', {})
        params.update(
            boxes=np.array(boxes, dtype=np.float32),
            flips=np.array(flips, dtype=bool),
            raw_shape=(int(height), int(width)),
            out_size=self.out_size)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(out_size={self.out_size}, global_area='
                f'{self.global_area}, local_area={self.local_area}, aspect_range='
                f'{self.aspect_range}, global_flip_ratio={self.global_flip_ratio}, '
                f'local_flip_ratio={self.local_flip_ratio})')
