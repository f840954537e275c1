"""ctrl_aug's controllable augmentations (Qian et al., 2022, Sec. 3, 4.2).

Position transformations tau_p (Sec. 3.1), every parameter recorded in raw-video
coordinates so that the correspondence S_k (Eq. 1) can be computed from them:

- :class:`CtrlAugSampler`: the global view ``v`` is ``global_len`` frames sampled sparsely
  over the whole video (one frame per equal segment, TSN style); local clip ``v_k``
  (k = 1..K) is ``clip_len`` frames whose centre lies in ``[(k-1)T/K, kT/K]``.
- :class:`CtrlAugCrop`: a weak random crop of the raw frames for ``v``; each ``v_k`` is
  cropped inside the global crop box; each view is resized to ``out_size`` and may be
  flipped horizontally.

Low-level transformations tau_l (Sec. 3.2, Table 5): :class:`IntensityLevels` splits the
ranges of brightness / contrast / saturation / hue jitter and Gaussian-blur sigma into
discrete intensity levels (4/4/4/2/4 -> 512 combinations by default). The *batch-level*
choice of the paper ("in each iteration, we randomly sample 32 intensity levels from all
possible levels", 128 clips: 4 per level) is made in the collate function
:func:`ctrl_aug_collate`: it draws ``batch_size / samples_per_level`` levels, gives each
exactly ``samples_per_level`` samples and applies them; the level id of each
sample is recorded in its metainfo (``lowlevel_level``). :class:`ControlledLowLevelAug`
is the per-sample pipeline version (level drawn uniformly over all combinations) for
pipelines that do not use the collate function.

Recorded metainfo (``ctrl_params``; coordinates in raw pixels / raw frame indices):

- ``total_frames`` T; ``global_window`` ``(2,)`` = ``[0, T)`` (global cells tile it);
- ``local_windows`` ``(K, 2)``: ``[first, last + 1)`` raw frames of each local clip;
- ``local_centres`` ``(K,)``; ``frame_interval`` of the local clips;
- ``boxes`` ``(1 + K, 4)`` ``(x0, y0, x1, y1)`` crop boxes (row 0: global);
- ``flips`` ``(1 + K,)`` bool; ``raw_shape`` ``(H, W)``; ``out_size`` ``(h, w)``.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS

from vssl_mm.registry import TRANSFORMS
from .augment import ClipColorJitter, _as_array


# ---------------------------------------------------------------------- tau_p: time
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
    (time part, see the module docstring). Videos shorter than one local clip raise
    ``ValueError`` (the dataset skips and counts them).

    Args:
        num_clips: K (4 in the paper; Table 4: 1-4).
        clip_len: frames per local clip (16).
        frame_interval: raw-frame step inside a local clip (1, our choice; the paper
            does not say). Lowered for videos too short for the span.
        global_len: frames of the global view (16).
        test_mode: deterministic (global: segment middles; local: bin centres).
    """

    def __init__(self, num_clips: int = 4, clip_len: int = 16, frame_interval: int = 1,
                 global_len: int = 16, test_mode: bool = False) -> None:
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


# ---------------------------------------------------------------------- tau_p: space
def random_box(width: float, height: float, area_range: Sequence[float],
               aspect_range: Sequence[float], rng=np.random,
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

    def __init__(self, out_size=112, global_area: Sequence[float] = (0.5, 1.0),
                 local_area: Sequence[float] = (0.25, 1.0),
                 aspect_range: Sequence[float] = (3 / 4, 4 / 3),
                 global_flip_ratio: float = 0.5, local_flip_ratio: float = 0.5,
                 global_key: str = 'global_view') -> None:
        self.out_size = (out_size, out_size) if isinstance(out_size, int) else tuple(
            out_size)
        self.global_area = tuple(global_area)
        self.local_area = tuple(local_area)
        self.aspect_range = tuple(aspect_range)
        self.global_flip_ratio = global_flip_ratio
        self.local_flip_ratio = local_flip_ratio
        self.global_key = global_key

    def transform(self, results: Dict) -> Dict:
        views: List[np.ndarray] = results['views']
        height, width = views[0].shape[1:3]
        gx0, gy0, gx1, gy1 = random_box(width, height, self.global_area,
                                        self.aspect_range)
        boxes = [(gx0, gy0, gx1, gy1)]
        for _ in views[1:]:
            x0, y0, x1, y1 = random_box(gx1 - gx0, gy1 - gy0, self.local_area,
                                        self.aspect_range)
            boxes.append((gx0 + x0, gy0 + y0, gx0 + x1, gy0 + y1))
        flips = [bool(np.random.rand() < self.global_flip_ratio)] + [
            bool(np.random.rand() < self.local_flip_ratio) for _ in views[1:]]
        cut = [cut_view(v, b, f, self.out_size) for v, b, f in zip(views, boxes, flips)]
        results[self.global_key] = [cut[0]]
        results['views'] = cut[1:]
        results['img_shape'] = self.out_size
        params = results.setdefault('ctrl_params', {})
        params.update(
            boxes=np.array(boxes, dtype=np.float32), flips=np.array(flips, dtype=bool),
            raw_shape=(int(height), int(width)), out_size=self.out_size)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(out_size={self.out_size}, global_area='
                f'{self.global_area}, local_area={self.local_area}, aspect_range='
                f'{self.aspect_range}, global_flip_ratio={self.global_flip_ratio}, '
                f'local_flip_ratio={self.local_flip_ratio})')


# ---------------------------------------------------------------------- tau_l: levels
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

    def __init__(self, counts: Sequence[int] = (4, 4, 4, 2, 4), brightness: float = 0.4,
                 contrast: float = 0.4, saturation: float = 0.4, hue: float = 0.1,
                 blur_sigma: Sequence[float] = (0.1, 2.0)) -> None:
        counts = tuple(int(c) for c in counts)
        if len(counts) != 5 or min(counts) < 1:
            raise ValueError(f'counts must be 5 positive ints (B, C, S, H, G), got {counts}')
        self.counts = counts
        self.ranges = (
            (max(0., 1 - brightness), 1 + brightness),
            (max(0., 1 - contrast), 1 + contrast),
            (max(0., 1 - saturation), 1 + saturation),
            (-hue, hue),
            tuple(blur_sigma))
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
        return {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in
                self.bin_ranges(level).items()}

    @staticmethod
    def apply(imgs: np.ndarray, params: Dict[str, float]) -> np.ndarray:
        """Apply jitter (B, C, S, H) then blur to ``(T, H, W, 3)`` uint8 frames."""
        out = ClipColorJitter.apply(
            imgs, brightness=params['brightness'], contrast=params['contrast'],
            saturation=params['saturation'], hue=params['hue'], order=(0, 1, 2, 3))
        sigma = params['blur']
        if sigma > 0:
            k = 2 * int(np.ceil(3 * sigma)) + 1
            out = np.stack([cv2.GaussianBlur(f, (k, k), sigmaX=sigma, sigmaY=sigma,
                                             borderType=cv2.BORDER_REFLECT_101)
                            for f in out])
        return out


def _to_frames(x) -> np.ndarray:
    """``(C, T, H, W)`` uint8 tensor -> ``(T, H, W, C)`` numpy."""
    return np.ascontiguousarray(x.numpy().transpose(1, 2, 3, 0))


def _from_frames(frames: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(frames.transpose(3, 0, 1, 2)))


def check_level_grouping(batch_size: int, samples_per_level: int, num_levels: int
                         ) -> int:
    """Levels one batch of ``batch_size`` samples needs; raise if it cannot be grouped.

    Each level holds exactly ``samples_per_level`` samples, so the MI critic of Eq. 5-6
    has ``samples_per_level - 1`` same-level partners per sample on every rank, whatever
    the world size. Raises ``ValueError`` naming the values when ``samples_per_level < 2``
    (no same-level pair), ``batch_size`` is not a multiple of it, or the batch needs more
    distinct levels than ``num_levels``.
    """
    spl = samples_per_level
    if not isinstance(spl, (int, np.integer)) or isinstance(spl, bool) or spl < 2:
        raise ValueError(
            f'samples_per_level={spl!r}: must be an int >= 2, otherwise no two samples '
            'share an intensity level and the MI critic (L_mi) never trains (the paper: '
            '128 clips / 32 levels = 4)')
    if batch_size < spl or batch_size % spl:
        raise ValueError(
            f'batch of {batch_size} samples (per rank) cannot be split into groups of '
            f'samples_per_level={spl}: use a per-rank batch_size that is a multiple of '
            f'{spl} and drop_last=True')
    need = batch_size // spl
    if need > num_levels:
        raise ValueError(
            f'batch of {batch_size} samples with samples_per_level={spl} needs {need} '
            f'distinct intensity levels, but the level counts give only {num_levels}: '
            'raise samples_per_level or the counts')
    return need


def assign_levels(batch_size: int, num_levels: int, samples_per_level: int = 4,
                  rng=np.random) -> np.ndarray:
    """Draw ``batch_size / samples_per_level`` distinct levels and give each exactly
    ``samples_per_level`` samples, in random order: ``(batch_size,)`` level ids.

    Raises ``ValueError`` if the batch cannot be grouped (:func:`check_level_grouping`).
    """
    m = check_level_grouping(batch_size, samples_per_level, num_levels)
    pool = rng.choice(num_levels, size=m, replace=False)
    slots = np.repeat(np.arange(m), samples_per_level)
    return pool[slots[rng.permutation(batch_size)]].astype(np.int64)


def ctrl_aug_collate(data_batch: Sequence[dict], counts: Sequence[int] = (4, 4, 4, 2, 4),
                     samples_per_level: int = 4, global_key: str = 'global_view',
                     level_kwargs: Optional[dict] = None,
                     levels_per_batch: Optional[int] = None,
                     per_rank: Optional[bool] = None) -> dict:
    """Collate with the batch-level choice of intensity levels (Sec. 3.2, Sec. 4.4).

    Draws the batch's levels (:func:`assign_levels`), applies each sample's level to all
    of its views (the K local clips in ``inputs`` ``(K, C, T, H, W)`` uint8 and the
    global view ``metainfo[global_key]`` ``(1, C, T', H, W)``; the factors are drawn per
    view inside the level's bins), records ``lowlevel_level`` (int) and
    ``lowlevel_params`` (one dict per view, global first) in the metainfo, then
    ``pseudo_collate``.

    ``samples_per_level`` is the knob (the paper: 128 clips / 32 levels = 4): every
    rank's batch of B samples gets ``B / samples_per_level`` distinct levels of exactly
    ``samples_per_level`` samples each, so each rank has same-level pairs at any world
    size, and a global batch of ``W * B`` holds ``W * B / samples_per_level`` groups
    (8 GPUs x 16: 32 groups of 4, as one GPU with 128). Ranks draw their levels
    independently; a level drawn on two ranks gives more same-level pairs across ranks
    (the critic gathers features and level ids over ranks). A batch that cannot be
    grouped raises ``ValueError`` naming the values. The draw uses numpy's global RNG,
    which the SeededSampler has seeded per sample: reproducible.

    ``levels_per_batch`` / ``per_rank`` (the former knobs) raise with the replacement.
    """
    if levels_per_batch is not None or per_rank is not None:
        raise ValueError(
            f'ctrl_aug_collate: levels_per_batch={levels_per_batch!r} / per_rank='
            f'{per_rank!r} were replaced by samples_per_level (levels per rank batch = '
            'batch_size / samples_per_level; the paper: 128 / 32 = 4)')
    levels = IntensityLevels(counts, **(level_kwargs or {}))
    ids = assign_levels(len(data_batch), levels.num_levels, samples_per_level)
    for data, level in zip(data_batch, ids):
        sample = data['data_samples']
        views = list(sample.metainfo[global_key]) if global_key in sample.metainfo \
            else []
        n_global = len(views)
        views += [data['inputs'][i] for i in range(data['inputs'].shape[0])]
        params = [levels.sample_params(int(level)) for _ in views]
        out = [_from_frames(levels.apply(_to_frames(v), p)) for v, p in zip(views, params)]
        if n_global:
            sample.set_metainfo({global_key: torch.stack(out[:n_global])})
        data['inputs'] = torch.stack(out[n_global:])
        sample.set_metainfo(dict(lowlevel_level=int(level), lowlevel_params=params))
    return pseudo_collate(data_batch)


# registered in mmengine's root FUNCTIONS: the Runner looks collate functions up there
# (``collate_fn=dict(type='ctrl_aug_collate', ...)``); the name is unique to vssl_mm.
if 'ctrl_aug_collate' not in FUNCTIONS.module_dict:
    FUNCTIONS.register_module(name='ctrl_aug_collate', module=ctrl_aug_collate)


@TRANSFORMS.register_module()
class ControlledLowLevelAug(BaseTransform):
    """Per-sample tau_l: one intensity level for all views of the sample.

    The level is ``results['lowlevel_level']`` if set, else drawn uniformly over all
    ``prod(counts)`` levels (use :func:`ctrl_aug_collate` for the paper's batch-level
    draw of 32 levels). Applies to ``views`` and ``results[global_key]`` (if present);
    records ``lowlevel_level`` and ``lowlevel_params`` (global first).
    """

    def __init__(self, counts: Sequence[int] = (4, 4, 4, 2, 4),
                 global_key: str = 'global_view', **level_kwargs) -> None:
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
