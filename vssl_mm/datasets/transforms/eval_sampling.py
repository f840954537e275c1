"""Test-time sampling for HDC's recognition protocol (mmaction2 pipelines).

HDC tests on every non-overlapping 16-frame clip of a video x 5 crops (centre and four
corners), softmax averaged. Both transforms plug into mmaction2's pipeline between
``DecordInit`` / ``DecordDecode`` and ``FormatShape('NCTHW')``.
"""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class NonOverlappingClips(BaseTransform):
    """All consecutive non-overlapping clips ``[0, L), [L, 2L), ...`` of a video.

    A video shorter than ``clip_len`` gives one clip that loops. Sets ``frame_inds``,
    ``clip_len``, ``frame_interval`` (1) and ``num_clips`` like mmaction2's
    ``SampleFrames``; the number of clips varies per video (test with batch size 1).

    Args:
        clip_len: frames per clip.
        max_clips: optional cap (clips then spread uniformly over the video).
    """

    def __init__(self, clip_len: int = 16, max_clips: int = 0) -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        self.clip_len = clip_len
        self.max_clips = max_clips

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        num = max(total // self.clip_len, 1)
        starts = np.arange(num) * self.clip_len
        if self.max_clips and num > self.max_clips:
            starts = starts[np.linspace(0, num - 1, self.max_clips).round().astype(int)]
        inds = (starts[:, None] + np.arange(self.clip_len)[None]) % total
        results['frame_inds'] = inds.reshape(-1).astype(np.int64) + \
            int(results.get('start_index', 0))
        results['clip_len'] = self.clip_len
        results['frame_interval'] = 1
        results['num_clips'] = len(starts)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'max_clips={self.max_clips})')


@TRANSFORMS.register_module()
class FiveCrop(BaseTransform):
    """Centre + four corner crops of every frame (mmaction2's ``TenCrop`` without flips).

    Output ``imgs`` are crop-major, so ``FormatShape('NCTHW')`` yields
    ``5 * num_clips`` views. Updates ``img_shape``, ``crop_bbox`` and ``num_crops``.
    """

    def __init__(self, crop_size: int = 112) -> None:
        self.crop_size = (crop_size, crop_size) if isinstance(crop_size, int) \
            else tuple(crop_size)

    def transform(self, results: Dict) -> Dict:
        imgs = results['imgs']
        img_h, img_w = imgs[0].shape[:2]
        crop_w, crop_h = self.crop_size
        if crop_w > img_w or crop_h > img_h:
            raise ValueError(f'crop {self.crop_size} larger than frames {(img_w, img_h)}')
        offsets = [((img_w - crop_w) // 2, (img_h - crop_h) // 2), (0, 0), (img_w - crop_w, 0),
                   (0, img_h - crop_h), (img_w - crop_w, img_h - crop_h)]
        crops, boxes = [], []
        for x, y in offsets:
            crops.extend(img[y:y + crop_h, x:x + crop_w] for img in imgs)
            boxes.append([x, y, x + crop_w, y + crop_h])
        results['imgs'] = crops
        results['crop_bbox'] = np.array(boxes)
        results['img_shape'] = (crop_h, crop_w)
        results['num_crops'] = 5
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_size={self.crop_size})'
