"""HDC views (Zhang & Crandall, WACV 2022, Sec. 3.1 and 3.3).

Per video, three clip variants of ``clip_len`` consecutive frames:

- ``u_o = phi_o(x)`` and ``u_s = phi_s(x)``: the same window ``x`` (same frame indices),
  each with its own spatial augmentation (Spatial Contrast, Eq. 1/4);
- ``u_t = phi_t(Gamma(x))``: a new random window of the same video (random temporal
  cropping ``Gamma``), then spatial augmentation (Temporal Contrast, Eq. 3/5).

:class:`HDCViewSampler` only decides the frame indices (views 0, 1, 2 = o, s, t);
:class:`MultiViewDecode` decodes the union once; :class:`HDCSpatialAugment` runs the
spatial family (random crop, scale jitter, horizontal flip, colour jitter, channel
replication; each switchable for Table 2) through :class:`ViewsApply`, with the spatial
augmentation of ``u_t`` switchable (Sec. 4.1, "Spatial augmentations in Temporal
Contrast"). Pixels go to ``[-1, 1]`` in the data preprocessor
(``MultiViewDataPreprocessor(mean=[127.5] * 3, std=[127.5] * 3)``).
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS
from .augment import ViewsApply, _as_array
from .eval_sampling import FiveCrop  # noqa: F401  (HDC's 5-crop test transform)
from .sampling import clip_indices, fit_interval

#: view order produced by :class:`HDCViewSampler`
HDC_VIEWS = ('o', 's', 't')


@TRANSFORMS.register_module()
class HDCViewSampler(BaseTransform):
    """Frame indices of ``u_o``, ``u_s`` (one shared window) and ``u_t`` (a new window).

    The window of ``u_t`` starts at a start drawn uniformly among the valid starts other
    than the one of ``u_o`` / ``u_s`` (the paper only says "randomly select a new clip";
    excluding the identical window is our choice). If the video has a single valid start
    (``total_frames <= (clip_len - 1) * interval + 1``) all three views share it. Short
    videos fall back to a smaller frame interval and loop (as :func:`clip_indices`).

    Adds ``view_frame_inds`` (3 arrays of ``(clip_len,)``), ``view_starts`` (3 ints),
    ``clip_len``, ``frame_interval``, ``num_clips`` (3).

    Args:
        clip_len: frames per view (16 in the paper).
        frame_interval: temporal stride in the raw video (1: consecutive frames).
        test_mode: deterministic starts (o = s at the start, t at the last start).
    """

    def __init__(self,
                 clip_len: int = 16,
                 frame_interval: int = 1,
                 test_mode: bool = False) -> None:
        if clip_len < 1 or frame_interval < 1:
            raise ValueError(f'clip_len and frame_interval must be >= 1, got {clip_len}, '
                             f'{frame_interval}')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.test_mode = test_mode

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        interval = fit_interval(total, self.clip_len, self.frame_interval)
        span = (self.clip_len - 1) * interval + 1
        num_starts = max(total - span, 0) + 1
        if self.test_mode:
            start_o, start_t = 0, num_starts - 1
        else:
            start_o = int(np.random.randint(num_starts))
            if num_starts > 1:  # any other start, uniformly
                start_t = int(np.random.randint(num_starts - 1))
                start_t += int(start_t >= start_o)
            else:
                start_t = start_o
        inds_o = clip_indices(start_o, self.clip_len, interval, total)
        inds_t = clip_indices(start_t, self.clip_len, interval, total)
        results['view_frame_inds'] = [inds_o, inds_o.copy(), inds_t]
        results['view_starts'] = [start_o, start_o, start_t]
        results['clip_len'] = self.clip_len
        results['frame_interval'] = interval
        results['num_clips'] = len(HDC_VIEWS)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, frame_interval='
                f'{self.frame_interval}, test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class ChannelReplication(BaseTransform):
    """Copy one random colour channel into all three (Lee et al., ICCV 2017; HDC Sec. 3.3).

    With probability ``p`` a channel ``c ~ U{0, 1, 2}`` is drawn once per clip and every
    frame becomes ``(x_c, x_c, x_c)``. Records ``channel_replication`` (``c``, or ``-1``
    when not applied). Works on ``results['imgs']`` ``(T, H, W, 3)``.

    Args:
        p: probability of replicating (the paper gives none; 0.5 is our default).
    """

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f'p must be in [0, 1], got {p}')
        self.p = p

    def transform(self, results: Dict) -> Dict:
        imgs = _as_array(results['imgs'])
        channel = -1
        if np.random.rand() < self.p:
            channel = int(np.random.randint(3))
            imgs = np.ascontiguousarray(np.repeat(imgs[..., channel:channel + 1], 3, -1))
        results['imgs'] = imgs
        results['channel_replication'] = channel
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(p={self.p})'


def hdc_spatial_transforms(short_side: int = 128,
                           crop_size: int = 112,
                           random_crop: bool = True,
                           scale_jitter: bool = True,
                           flip: bool = True,
                           color_jitter: bool = True,
                           channel_replication: bool = True,
                           scale_range: Tuple[int, int] = (112, 160),
                           flip_ratio: float = 0.5,
                           color_jitter_cfg: Optional[dict] = None,
                           channel_replication_p: float = 0.5) -> List[dict]:
    """The per-clip spatial family ``Phi`` as a list of transform configs.

    ``scale_jitter``: short side resized to ``U{scale_range}`` (mmaction2's
    ``RandomRescale``) instead of ``short_side``, so the ``crop_size`` crop covers a
    random fraction of the frame. ``random_crop``: crop at a random position
    (``RandomCrop``) instead of the centre (``CenterCrop``). ``flip``: horizontal flip with
    ``flip_ratio``. ``color_jitter``: :class:`ClipColorJitter` (``color_jitter_cfg``).
    ``channel_replication``: :class:`ChannelReplication` with ``channel_replication_p``.
    A switch set to False removes its transform; with everything off the clip is resized
    to ``short_side`` and centre-cropped.
    """
    if scale_range[0] < crop_size:
        raise ValueError(f'scale_range {scale_range} must start at >= crop_size '
                         f'{crop_size}')
    pipeline = [
        dict(type='RandomRescale', scale_range=tuple(scale_range)) if scale_jitter else dict(
            type='Resize', scale=(-1, short_side)),
        dict(type='RandomCrop', size=crop_size) if random_crop else dict(
            type='CenterCrop', crop_size=crop_size),
    ]
    if flip:
        pipeline.append(dict(type='Flip', flip_ratio=flip_ratio))
    if color_jitter:
        cj = dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8)
        cj.update(color_jitter_cfg or {})
        pipeline.append(dict(type='ClipColorJitter', **cj))
    if channel_replication:
        pipeline.append(dict(type='ChannelReplication', p=channel_replication_p))
    return pipeline


@TRANSFORMS.register_module()
class HDCSpatialAugment(BaseTransform):
    """Spatial augmentation of the three HDC views, each with its own random parameters.

    Views 0 (``u_o``) and 1 (``u_s``) always get the spatial family; view 2 (``u_t``) gets
    it when ``tc_spatial=True`` (the paper's default), otherwise only the deterministic
    resize to ``short_side`` and centre crop (the "no spatial augmentation in TC" row).
    Every switch of :func:`hdc_spatial_transforms` is an argument, so a Table 2 row is a
    config that sets one of them to False. Runs :class:`ViewsApply` (parameters recorded in
    ``view_params``).

    Args:
        tc_spatial: spatial augmentation inside Temporal Contrast (view 2).
        **family: arguments of :func:`hdc_spatial_transforms`.
    """

    def __init__(self, tc_spatial: bool = True, **family) -> None:
        self.tc_spatial = tc_spatial
        self.family = family
        spatial = hdc_spatial_transforms(**family)
        plain = hdc_spatial_transforms(
            short_side=family.get('short_side', 128),
            crop_size=family.get('crop_size', 112),
            random_crop=False,
            scale_jitter=False,
            flip=False,
            color_jitter=False,
            channel_replication=False)
        if tc_spatial:
            self.apply = [ViewsApply(spatial, views=[0, 1, 2])]
        else:
            self.apply = [ViewsApply(spatial, views=[0, 1]), ViewsApply(plain, views=[2])]

    def transform(self, results: Dict) -> Dict:
        if len(results['views']) != len(HDC_VIEWS):
            raise ValueError(f'HDCSpatialAugment expects 3 views (o, s, t), got '
                             f'{len(results["views"])}')
        for op in self.apply:
            results = op(results)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(tc_spatial={self.tc_spatial}, {self.family})'
