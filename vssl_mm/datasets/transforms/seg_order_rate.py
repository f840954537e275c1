"""seg_order_rate sampler: segments of random length and sampling rate, then permuted.

A clip of ``clip_len`` frames is made of ``n`` segments (paper Sec. III-B/C/D, Fig. 1):
segment ``i`` has ``l_i >= min_len`` frames (``sum l_i = clip_len``) taken every ``m_i``
frames of the raw video, ``m_i ~ U{1..p}``. The segments are laid out in time order from
a random start (segment ``i+1`` starts ``m_{i+1}`` frames after the last frame of
segment ``i``), then shown in a random order. Targets: the permutation index (Eq. 4) and
the rates in the order the segments are shown (Eq. 7).
"""
from typing import Dict, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS
from vssl_mm.utils.permutations import permutations_table


def random_lengths(clip_len: int, n: int, min_len: int, rng) -> np.ndarray:
    """Uniformly random composition of ``clip_len`` into ``n`` parts, each ``>= min_len``."""
    extra = clip_len - n * min_len
    if extra < 0:
        raise ValueError(f'clip_len={clip_len} cannot hold {n} segments of >= {min_len} '
                         'frames')
    # stars and bars: n-1 bars among extra + n - 1 slots
    bars = np.sort(rng.choice(extra + n - 1, size=n - 1, replace=False)) \
        if n > 1 else np.zeros(0, int)
    edges = np.concatenate([[-1], bars, [extra + n - 1]])
    return (np.diff(edges) - 1 + min_len).astype(np.int64)


def segment_span(lengths: Sequence[int], rates: Sequence[int]) -> int:
    """Raw-video frames covered by time-ordered segments (first to last frame, inclusive)."""
    lengths = np.asarray(lengths)
    rates = np.asarray(rates)
    return int((lengths * rates).sum() - rates[0] + 1)


def lower_rates_to_fit(lengths: np.ndarray, rates: np.ndarray, total: int) -> np.ndarray:
    """Short-video fallback: decrement the largest rate (first on ties) until it fits.

    Returns the lowered rates (all >= 1); the caller checks the span when all rates are 1.
    """
    rates = rates.copy()
    while segment_span(lengths, rates) > total and rates.max() > 1:
        rates[int(np.argmax(rates))] -= 1
    return rates


@TRANSFORMS.register_module()
class SegmentOrderRateSampler(BaseTransform):
    """Sample ``num_views`` clips of permuted segments with per-segment sampling rates.

    View 0 is the query (its targets train the order and rate heads); view 1 is another
    clip of the same video sampled the same way (a key candidate). Every view gets its
    own lengths, rates, start and permutation.

    Adds ``view_frame_inds`` (list of ``(clip_len,)`` int arrays, shown order),
    ``order_label`` (int, index into :func:`permutations_table`), ``seg_rates``
    (``(n,)`` float32, shown order), ``seg_lengths`` (``(n,)`` int, shown order) for
    the query, and ``view_order_labels`` / ``view_seg_rates`` / ``view_seg_lengths`` for
    all views.

    Short videos: rates are lowered (largest first) until the time-ordered segments fit;
    the targets are the rates actually used. A video shorter than ``clip_len`` raises
    ``ValueError`` (``short_video='skip'``: the dataset skips and counts it) or, with
    ``short_video='loop'``, is read with rate 1 modulo its length (indices always inside
    the video; the order then becomes ambiguous, so ``'skip'`` is the default).

    Args:
        clip_len: frames per clip (16 in the paper).
        num_segments: n, 2..5 (3 in the paper).
        max_rate: p, rates drawn from ``{1, ..., p}`` (8 in the paper).
        min_len: minimum frames per segment (3).
        num_views: clips per video (2: query and key candidate).
        short_video: ``'skip'`` or ``'loop'`` for videos shorter than ``clip_len``.
    """

    def __init__(self,
                 clip_len: int = 16,
                 num_segments: int = 3,
                 max_rate: int = 8,
                 min_len: int = 3,
                 num_views: int = 2,
                 short_video: str = 'skip') -> None:
        if not 1 <= num_segments <= 8:
            raise ValueError(f'num_segments must be in [1, 8], got {num_segments}')
        if num_segments * min_len > clip_len:
            raise ValueError(f'clip_len={clip_len} cannot hold {num_segments} segments of '
                             f'>= {min_len} frames')
        if max_rate < 1 or num_views < 1 or min_len < 1:
            raise ValueError('max_rate, num_views and min_len must be >= 1')
        if short_video not in ('skip', 'loop'):
            raise ValueError(f"short_video must be 'skip' or 'loop', got {short_video!r}")
        self.clip_len = clip_len
        self.num_segments = num_segments
        self.max_rate = max_rate
        self.min_len = min_len
        self.num_views = num_views
        self.short_video = short_video
        self.perms = permutations_table(num_segments)

    def sample_clip(self, total: int, rng=np.random) -> Dict:
        """One clip: frame indices in shown order plus its targets."""
        n = self.num_segments
        lengths = random_lengths(self.clip_len, n, self.min_len, rng)
        rates = rng.randint(1, self.max_rate + 1, size=n).astype(np.int64)
        rates = lower_rates_to_fit(lengths, rates, total)
        span = segment_span(lengths, rates)
        if span > total:
            if self.short_video == 'skip':
                raise ValueError(f'video has {total} frames, fewer than clip_len='
                                 f'{self.clip_len}: skipped')
        start = rng.randint(0, max(total - span, 0) + 1)
        segments, offset = [], start
        for i, (length, rate) in enumerate(zip(lengths, rates)):
            if i > 0:
                offset += rate  # next segment starts one of its own steps later
            seg = offset + np.arange(length) * rate
            segments.append(seg % total)  # modulo only matters in 'loop' mode
            offset = int(seg[-1])
        label = int(rng.randint(len(self.perms)))
        perm = self.perms[label]
        return dict(
            frame_inds=np.concatenate([segments[j] for j in perm]).astype(np.int64),
            order_label=label,
            seg_rates=rates[list(perm)].astype(np.float32),
            seg_lengths=lengths[list(perm)])

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        clips = [self.sample_clip(total) for _ in range(self.num_views)]
        results['view_frame_inds'] = [c['frame_inds'] for c in clips]
        results['view_order_labels'] = [c['order_label'] for c in clips]
        results['view_seg_rates'] = np.stack([c['seg_rates'] for c in clips])
        results['view_seg_lengths'] = np.stack([c['seg_lengths'] for c in clips])
        results['order_label'] = clips[0]['order_label']
        results['seg_rates'] = clips[0]['seg_rates']
        results['seg_lengths'] = clips[0]['seg_lengths']
        results['clip_len'] = self.clip_len
        results['num_clips'] = self.num_views
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, num_segments='
                f'{self.num_segments}, max_rate={self.max_rate}, min_len={self.min_len}, '
                f'num_views={self.num_views}, short_video={self.short_video!r})')
