"""Clip-consistent augmentations for multi-view samples, with their parameters recorded."""
import random
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform, Compose

from vssl_mm.registry import TRANSFORMS
from .builder import build_transforms


def _as_array(imgs: Union[np.ndarray, List[np.ndarray]]) -> np.ndarray:
    return imgs if isinstance(imgs, np.ndarray) else np.stack(imgs)


@TRANSFORMS.register_module()
class ViewsApply(BaseTransform):
    """Run a spatial sub-pipeline on each view with independent random parameters.

    Each view ``(T, H, W, 3)`` goes through ``transforms`` (mmaction2's ``Resize``,
    ``RandomResizedCrop``, ``Flip``, ``CenterCrop`` ... or vssl_mm's colour transforms)
    as a clip, so the parameters are consistent inside the clip. What each view got
    (``crop_bbox``, ``flip``, ``scale_factor``, colour parameters) is appended to
    ``results['view_params']``.

    Args:
        transforms: the per-view pipeline.
        views: indices of the views to transform (default: all).
        same_params_across_views: draw the random parameters once and reuse them for
            every view (e.g. one crop shared by all views of a sample): the state of
            numpy's and Python's global generators is saved before the first view and
            restored before each other one, so every view makes the same draws. The
            parameters are equal when the views have the same frame size and the
            transforms' draws do not depend on the pixels (crop, flip, clip colour
            jitter); per-frame transforms repeat their draws by frame index. Default
            ``False``: independent parameters per view.
    """

    RECORDED = ('crop_bbox', 'flip', 'flip_direction', 'scale_factor', 'img_shape', 'color_jitter',
                'grayscale', 'channel_replication')

    def __init__(self,
                 transforms: Sequence[dict],
                 views: Optional[Sequence[int]] = None,
                 same_params_across_views: bool = False) -> None:
        self.pipeline = Compose(build_transforms(transforms))
        self.views = None if views is None else list(views)
        self.same_params_across_views = same_params_across_views

    def transform(self, results: Dict) -> Dict:
        views = results['views']
        params = results.get('view_params') or [dict() for _ in views]
        which = range(len(views)) if self.views is None else self.views
        states = None
        if self.same_params_across_views:
            states = (np.random.get_state(), random.getstate())
        for v in which:
            if states is not None:
                np.random.set_state(states[0])
                random.setstate(states[1])
            frames = views[v]
            sub = dict(
                imgs=list(frames),
                img_shape=frames.shape[1:3],
                original_shape=frames.shape[1:3],
                modality='RGB')
            sub = self.pipeline(sub)
            views[v] = _as_array(sub['imgs'])
            for key in self.RECORDED:
                if key in sub:
                    value = sub[key]
                    params[v][key] = value.copy() if isinstance(value, np.ndarray) else value
        results['views'] = views
        results['view_params'] = params
        results['img_shape'] = views[0].shape[1:3]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.pipeline}, views={self.views}, '
                f'same_params_across_views={self.same_params_across_views})')


_GREY_ROWS = np.tile(np.array([[0.299, 0.587, 0.114]]), (3, 1))  # grey in all 3 channels


def grey_rgb(imgs: np.ndarray) -> np.ndarray:
    """``(..., H, W, 3)`` uint8 RGB -> the rounded grey ``0.299R + 0.587G + 0.114B`` in
    all three channels (uint8, same shape), one OpenCV colour-matrix pass."""
    shape = imgs.shape
    flat = np.ascontiguousarray(imgs).reshape(-1, shape[-2], 3)
    return cv2.transform(flat, _GREY_ROWS.astype(np.float32)).reshape(shape)


@TRANSFORMS.register_module()
class ClipColorJitter(BaseTransform):
    """Colour jitter with one set of factors per clip (numpy-2 safe: mmaction2's
    ``ColorJitter`` with ``hue != 0`` overflows under numpy 2; docs/design.md, pitfall 5).

    With probability ``p``: brightness ``b ~ U[1-B, 1+B]`` scales pixels, contrast blends
    with the clip mean grey, saturation blends with the per-pixel grey, hue shifts the
    HSV hue by ``h ~ U[-H, H]`` (fraction of a turn). Applied in random order as in
    torchvision. Works on ``results['imgs']`` of shape ``(T, H, W, 3)`` uint8 RGB, all
    frames at once; the factors go to ``results['color_jitter']``.

    ``backend='uint8'`` (default) computes every operation on uint8 frames with OpenCV
    (``addWeighted`` for brightness and contrast, one 3x3 colour matrix for
    saturation, a wrapping uint8 add to the HSV hue) and returns to uint8 after each
    operation, as torchvision does for uint8 tensors (rounding here, where torchvision
    truncates): faster than ``backend='float'`` (one float32 buffer, rounded once at the
    end; :meth:`apply`; timings in docs/benchmarks_performance.md), from which it differs
    by rounding only (at most 2 grey levels without hue, see the tests).
    """

    BACKENDS = ('uint8', 'float')

    def __init__(self,
                 brightness: float = 0.4,
                 contrast: float = 0.4,
                 saturation: float = 0.4,
                 hue: float = 0.1,
                 p: float = 0.8,
                 backend: str = 'uint8') -> None:
        for name, value in (('brightness', brightness), ('contrast', contrast), ('saturation',
                                                                                 saturation)):
            if value < 0:
                raise ValueError(f'{name} must be >= 0, got {value}')
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        self.brightness, self.contrast, self.saturation, self.hue = \
            brightness, contrast, saturation, hue
        self.p = p
        if backend not in self.BACKENDS:
            raise ValueError(f'backend must be one of {self.BACKENDS}, got {backend!r}')
        self.backend = backend
        self._apply = self.apply_uint8 if backend == 'uint8' else self.apply

    @staticmethod
    def _grey(x: np.ndarray) -> np.ndarray:
        return x @ np.array([0.299, 0.587, 0.114], dtype=np.float32)

    @staticmethod
    def apply(imgs: np.ndarray,
              brightness: float = 1.,
              contrast: float = 1.,
              saturation: float = 1.,
              hue: float = 0.,
              order: Sequence[int] = (0, 1, 2, 3)) -> np.ndarray:
        """Apply given factors to ``(T, H, W, 3)`` uint8 RGB frames."""
        # in place on one float buffer: no fresh (T, H, W, 3) temporaries per op (each a
        # new mmap of page-faulted memory); same values as the out-of-place form
        x = imgs.astype(np.float32)
        for op in order:
            if op == 0 and brightness != 1:
                x *= np.float32(brightness)
            elif op == 1 and contrast != 1:
                mean = ClipColorJitter._grey(x).mean()  # x is within [0, 255] here
                x -= mean
                x *= np.float32(contrast)
                x += mean
            elif op == 2 and saturation != 1:
                g = ClipColorJitter._grey(x)[..., None]
                x -= g
                x *= np.float32(saturation)
                x += g
            elif op == 3 and hue != 0:
                t, h, w, _ = x.shape
                u8 = x.astype(np.uint8).reshape(t * h, w, 3)  # x is within [0, 255]
                hsv = cv2.cvtColor(u8, cv2.COLOR_RGB2HSV_FULL)
                shift = int(round(hue * 256)) % 256
                hsv[..., 0] += np.uint8(shift)  # uint8 arithmetic wraps modulo 256
                x = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB_FULL).reshape(t, h, w, 3).astype(np.float32)
            np.clip(x, 0, 255, out=x)
        np.rint(x, out=x)
        return x.astype(np.uint8)

    @staticmethod
    def apply_uint8(imgs: np.ndarray,
                    brightness: float = 1.,
                    contrast: float = 1.,
                    saturation: float = 1.,
                    hue: float = 0.,
                    order: Sequence[int] = (0, 1, 2, 3)) -> np.ndarray:
        """:meth:`apply` computed on uint8, rounded after each operation (OpenCV).

        Brightness: ``round(b * x)``; contrast: ``round(c * x + (1 - c) * m)`` with ``m``
        the mean grey of the clip as it is at that point; saturation:
        ``round(s * x + (1 - s) * grey(x))``; hue: the uint8
        HSV hue shifted by ``round(256 h)`` modulo 256. All clipped to [0, 255].
        """
        t, h, w, _ = imgs.shape
        x = np.ascontiguousarray(imgs).reshape(t * h, w, 3)  # one 2D image for OpenCV
        for op in order:
            if op == 0 and brightness != 1:
                x = cv2.addWeighted(x, brightness, x, 0., 0.)  # saturate(round(b x))
            elif op == 1 and contrast != 1:
                channel_means = np.array(cv2.mean(x)[:3], dtype=np.float64)
                mean = float(channel_means @ np.array([0.299, 0.587, 0.114]))
                x = cv2.addWeighted(x, contrast, x, 0., (1 - contrast) * mean)
            elif op == 2 and saturation != 1:  # s x + (1 - s) grey(x): one 3x3 matrix
                mix = saturation * np.eye(3) + (1 - saturation) * _GREY_ROWS
                x = cv2.transform(x, mix.astype(np.float32))
            elif op == 3 and hue != 0:
                hsv = cv2.cvtColor(x, cv2.COLOR_RGB2HSV_FULL)
                hsv[..., 0] += np.uint8(int(round(hue * 256)) % 256)  # wraps modulo 256
                x = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB_FULL)
        if np.shares_memory(x, imgs):
            x = x.copy()  # identity factors: never hand back the caller's buffer
        return x.reshape(t, h, w, 3)

    def transform(self, results: Dict) -> Dict:
        imgs = _as_array(results['imgs'])
        if np.random.rand() < self.p:
            factors = dict(
                brightness=float(
                    np.random.uniform(max(0, 1 - self.brightness), 1 + self.brightness)),
                contrast=float(np.random.uniform(max(0, 1 - self.contrast), 1 + self.contrast)),
                saturation=float(
                    np.random.uniform(max(0, 1 - self.saturation), 1 + self.saturation)),
                hue=float(np.random.uniform(-self.hue, self.hue)),
                order=tuple(int(i) for i in np.random.permutation(4)))
            imgs = self._apply(imgs, **factors)
        else:
            factors = dict(brightness=1., contrast=1., saturation=1., hue=0., order=(0, 1, 2, 3))
        results['imgs'] = imgs
        results['color_jitter'] = factors
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(brightness={self.brightness}, contrast='
                f'{self.contrast}, saturation={self.saturation}, hue={self.hue}, p={self.p}, '
                f'backend={self.backend!r})')


@TRANSFORMS.register_module()
class ClipGrayscale(BaseTransform):
    """Turn the whole clip grey with probability ``p`` (3 equal channels)."""

    def __init__(self, p: float = 0.2) -> None:
        self.p = p

    def transform(self, results: Dict) -> Dict:
        imgs = _as_array(results['imgs'])
        grey = bool(np.random.rand() < self.p)
        if grey:
            imgs = grey_rgb(imgs)
        results['imgs'] = imgs
        results['grayscale'] = grey
        return results
