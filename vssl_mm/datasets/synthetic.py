"""Synthetic videos whose classes are defined by motion only.

Eight classes, in four pairs that differ only in the direction of time: translate
right/left, down/up, rotate clockwise/anticlockwise, grow/shrink (a sawtooth of scale).
Appearance is random per video (shape, colours, background texture, static and moving
distractors), positions wrap around and phases are random, so no single frame reveals the
class: only temporal order and motion do. Videos are real mp4 files (OpenCV ``mp4v``)
that decord reads back, listed in mmaction2 format (``videos/NAME.mp4 LABEL``).

``style='camera'`` renders the same eight classes as camera motion over textures, so
that every pretext task of the four methods is well posed on a CPU budget (the default
``style='motion'`` is the hard set):

- the camera pans right/left/down/up, rolls cw/ccw or zooms in/out, so every pixel moves
  (not a small object over a static background) and each frame-to-frame step, and each
  jump between reordered segments, is visible over the whole frame;
- the filmed textures come from a small pool shared by all classes and both splits
  (4 by default), so two videos of different classes can look alike and only motion
  tells instances apart: an instance-contrastive method has to encode motion;
- no wrap-around and no sawtooth: the texture is larger than the camera's path;
- one speed per class (+-10 %), so a segment's sampling rate is identifiable from its
  displacement per frame (with the default style's 2x speed range, rate 1 at the top
  speed looks like rate 2 at the bottom one).

``style='motion_bright'`` is ``'motion'`` with one contrast polarity: the background is
dark (each channel in [0, 100]) and the object and distractors bright (each channel in
[155, 255]); everything else (the random draws, shapes, sizes, speeds, distractors and
wrap-around) is the motion style's, video for video. In ``'motion'`` the object is darker
than the background in some channels and brighter in others, at random per video, so an
edge's temporal change has a random sign; a supervised R3D learns the motion classes
with one polarity and not with random ones (docs/learning_signal.md).
"""
import math
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

CLASSES = ('translate_right', 'translate_left', 'translate_down', 'translate_up', 'rotate_cw',
           'rotate_ccw', 'grow', 'shrink')
_SHAPES = ('triangle', 'arrow', 'cross', 'lshape')
STYLES = ('motion', 'camera', 'motion_bright')
_DARK_MAX = 100  # motion_bright: background channels in [0, _DARK_MAX]
_BRIGHT_MIN = 155  # motion_bright: object and distractor channels in [_BRIGHT_MIN, 255]


def _shape_polygon(kind: str) -> np.ndarray:
    """Unit polygon (no rotational symmetry, so rotation is visible)."""
    if kind == 'triangle':
        pts = [(0, -1.0), (0.6, 0.8), (-0.6, 0.8)]
    elif kind == 'arrow':
        pts = [(0, -1), (0.7, -0.1), (0.25, -0.1), (0.25, 1), (-0.25, 1), (-0.25, -0.1),
               (-0.7, -0.1)]
    elif kind == 'cross':
        pts = [(-0.2, -1), (0.2, -1), (0.2, -0.2), (0.9, -0.2), (0.9, 0.2), (0.2, 0.2), (0.2, 0.6),
               (-0.2, 0.6), (-0.2, 0.2), (-0.6, 0.2), (-0.6, -0.2), (-0.2, -0.2)]
    else:  # lshape
        pts = [(-0.6, -1), (-0.1, -1), (-0.1, 0.5), (0.7, 0.5), (0.7, 1), (-0.6, 1)]
    return np.asarray(pts, dtype=np.float64)


def _draw(img: np.ndarray, poly: np.ndarray, center: Tuple[float, float], size: float, angle: float,
          color: Tuple[int, int, int]) -> None:
    h, w = img.shape[:2]
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    pts = poly @ rot.T * size
    # draw the wrapped copies so that motion on the torus has no visible border
    for dx in (-w, 0, w):
        for dy in (-h, 0, h):
            p = pts + np.array([center[0] + dx, center[1] + dy])
            cv2.fillPoly(img, [np.round(p).astype(np.int32)], color, lineType=cv2.LINE_AA)


def _as_color(color: np.ndarray) -> Tuple[int, int, int]:
    """A colour drawn in [0, 255] per channel, as OpenCV takes it."""
    return tuple(int(c) for c in color)


def _bright(color: np.ndarray) -> Tuple[int, int, int]:
    """A colour drawn in [0, 255] per channel, mapped to [_BRIGHT_MIN, 255]."""
    return tuple(int(_BRIGHT_MIN + c * (255 - _BRIGHT_MIN) // 255) for c in color)


def render_video(label: int,
                 num_frames: int,
                 height: int,
                 width: int,
                 rng: np.random.Generator,
                 bright: bool = False) -> np.ndarray:
    """Render one video of class ``label`` as ``(T, H, W, 3)`` uint8 BGR frames.

    ``bright=True`` renders ``style='motion_bright'``: the same random draws, with the
    background's colours mapped to [0, 100] and the shapes' to [155, 255] per channel.
    """
    if not 0 <= label < len(CLASSES):
        raise ValueError(f'label must be in [0, {len(CLASSES)}), got {label}')
    bg = rng.integers(0, 256, 3)
    bg2 = rng.integers(0, 256, 3)
    if bright:
        bg, bg2 = bg * _DARK_MAX // 255, bg2 * _DARK_MAX // 255
    yy, xx = np.mgrid[0:height, 0:width]
    theta = rng.uniform(0, 2 * np.pi)
    ramp = ((np.cos(theta) * xx + np.sin(theta) * yy) / max(height, width) + 1) / 2
    background = (bg[None, None] * (1 - ramp[..., None]) + bg2[None, None] * ramp[..., None])
    background += rng.normal(0, 6, background.shape)
    background = np.clip(background, 0, 255).astype(np.uint8)

    poly = _shape_polygon(_SHAPES[rng.integers(len(_SHAPES))])
    paint = _bright if bright else _as_color
    color = paint(rng.integers(0, 256, 3))
    base = min(height, width)
    size = rng.uniform(0.12, 0.2) * base
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    angle0 = rng.uniform(0, 2 * np.pi)
    speed = rng.uniform(0.8, 1.6) * base / 48.0  # pixels per frame
    omega = rng.uniform(0.06, 0.12)  # radians per frame
    scale_rate = rng.uniform(1 / 40, 1 / 24)  # sawtooth periods per frame
    phase = rng.uniform(0, 1)

    distractors = []
    for _ in range(rng.integers(1, 4)):
        distractors.append(
            dict(
                poly=_shape_polygon(_SHAPES[rng.integers(len(_SHAPES))]),
                color=paint(rng.integers(0, 256, 3)),
                size=rng.uniform(0.05, 0.1) * base,
                pos=np.array([rng.uniform(0, width), rng.uniform(0, height)]),
                vel=rng.normal(0, 0.4, 2),
                angle=rng.uniform(0, 2 * np.pi)))

    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for t in range(num_frames):
        img = background.copy()
        for d in distractors:  # small random-walk distractors, independent of the class
            d['vel'] = 0.9 * d['vel'] + rng.normal(0, 0.3, 2)
            d['pos'] = (d['pos'] + d['vel']) % [width, height]
            _draw(img, d['poly'], tuple(d['pos']), d['size'], d['angle'], d['color'])
        x, y, a, s = cx, cy, angle0, size
        if label == 0:
            x = (cx + speed * t) % width
        elif label == 1:
            x = (cx - speed * t) % width
        elif label == 2:
            y = (cy + speed * t) % height
        elif label == 3:
            y = (cy - speed * t) % height
        elif label == 4:
            a = angle0 + omega * t
        elif label == 5:
            a = angle0 - omega * t
        elif label in (6, 7):
            frac = (phase + scale_rate * t) % 1.0
            frac = frac if label == 6 else 1.0 - frac
            s = size * (0.5 + 1.0 * frac)
        _draw(img, poly, (x, y), s, a, color)
        frames[t] = img
    return frames


def make_texture_pool(num_textures: int, size: int, seed: int = 0) -> np.ndarray:
    """``(K, size, size, 3)`` uint8 textures (random rectangles and ellipses over noise).

    The ``style='camera'`` videos film these: the pool is a function of ``seed`` only and
    shared by all classes and both splits.
    """
    rng = np.random.default_rng(seed)
    pool = np.empty((num_textures, size, size, 3), np.uint8)
    for k in range(num_textures):
        img = np.empty((size, size, 3), np.float64)
        img[:] = rng.integers(0, 256, 3)
        img += rng.normal(0, 8, img.shape)
        img = np.clip(img, 0, 255).astype(np.uint8)
        for _ in range(size * size // 1500):
            color = tuple(int(c) for c in rng.integers(0, 256, 3))
            x, y = (int(v) for v in rng.integers(0, size, 2))
            r = int(rng.integers(size // 48 + 2, size // 10))
            if rng.random() < 0.5:
                cv2.rectangle(img, (x - r, y - r // 2), (x + r, y + r // 2), color, -1)
            else:
                cv2.ellipse(img, (x, y), (r, max(r // 2, 1)), float(rng.uniform(0, 180)), 0, 360,
                            color, -1)
        pool[k] = img
    return pool


_CAMERA_MAX_JITTER = 1.1  # per-video speed factor in [2 - this, this]
_CAMERA_PAN_FRACTION = 48.0  # pan: min(H, W) / this pixels per frame
_CAMERA_ROLL = 0.03  # roll: radians per frame
_CAMERA_ZOOM = 0.01  # zoom: 1 + this scale factor per frame


def camera_texture_side(num_frames: int, height: int, width: int) -> int:
    """Smallest texture side that holds the longest pan and the deepest zoom out of a
    ``num_frames`` video at the fastest speed (at least 3x the frame)."""
    steps = max(num_frames - 1, 1)
    half_diag = 0.5 * math.hypot(height, width)
    pan = 2 * half_diag + _CAMERA_MAX_JITTER * min(height, width) / _CAMERA_PAN_FRACTION * steps
    zoom = 2 * half_diag * (1.0 + _CAMERA_MAX_JITTER * _CAMERA_ZOOM)**steps
    return max(3 * max(height, width), int(math.ceil(pan)) + 1, int(math.ceil(zoom)) + 1)


def render_camera_video(label: int, num_frames: int, height: int, width: int,
                        rng: np.random.Generator, textures: np.ndarray) -> np.ndarray:
    """Render one ``style='camera'`` video as ``(T, H, W, 3)`` uint8 BGR frames.

    A camera films one texture of the shared pool ``textures`` ``(K, S, S, 3)``; the
    class is its motion (pan right/left/down/up, roll cw/ccw, zoom in/out) at one speed
    per class (+-10 %), which moves every pixel of the frame.
    """
    if not 0 <= label < len(CLASSES):
        raise ValueError(f'label must be in [0, {len(CLASSES)}), got {label}')
    tex = textures[rng.integers(len(textures))]
    side = tex.shape[0]
    base = min(height, width)
    jitter = rng.uniform(2 - _CAMERA_MAX_JITTER, _CAMERA_MAX_JITTER)
    steps = max(num_frames - 1, 1)
    speed = jitter * base / _CAMERA_PAN_FRACTION  # pan: pixels per frame
    omega = jitter * _CAMERA_ROLL  # roll: radians per frame
    zoom = 1.0 + jitter * _CAMERA_ZOOM  # zoom: scale factor per frame
    # room for the whole pan / zoom out inside the texture, with a random start
    reach = 0.5 * math.hypot(height, width) * (zoom**steps if label in (6, 7) else 1.0)
    travel = speed * steps if label < 4 else 0.0
    lo, hi = reach, side - reach - travel
    if hi <= lo:
        raise ValueError(f'texture of {side} px too small for {num_frames} frames of '
                         f'{height}x{width}')
    cx, cy = rng.uniform(lo, hi), rng.uniform(lo, hi)
    if label in (1, 3):
        cx, cy = (cx + travel, cy) if label == 1 else (cx, cy + travel)
    angle0 = rng.uniform(0, 2 * np.pi)
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for t in range(num_frames):
        x, y, a, s = cx, cy, angle0, 1.0
        if label == 0:
            x = cx + speed * t
        elif label == 1:
            x = cx - speed * t
        elif label == 2:
            y = cy + speed * t
        elif label == 3:
            y = cy - speed * t
        elif label == 4:
            a = angle0 + omega * t
        elif label == 5:
            a = angle0 - omega * t
        elif label == 6:
            s = zoom**t  # zoom in: magnification grows
        else:
            s = zoom**(steps - t)
        # view pixel p -> texture pixel (x, y) + R(a) (p - centre) / s
        c, si = math.cos(a) / s, math.sin(a) / s
        m = np.array([[c, -si, x - c * width / 2 + si * height / 2],
                      [si, c, y - si * width / 2 - c * height / 2]])
        frames[t] = cv2.warpAffine(
            tex, m, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    return frames


def write_mp4(path: str, frames: np.ndarray, fps: float = 25.0) -> None:
    """Write ``(T, H, W, 3)`` BGR uint8 frames to ``path`` with OpenCV's ``mp4v``."""
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV could not open "{path}" for writing (mp4v)')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame))
    writer.release()


def make_synthetic_dataset(out_dir: str,
                           num_train_per_class: int = 12,
                           num_val_per_class: int = 4,
                           num_frames: int = 64,
                           height: int = 128,
                           width: int = 128,
                           seed: int = 0,
                           frame_count_range: Optional[Tuple[int, int]] = None,
                           style: str = 'motion',
                           num_textures: int = 4) -> Dict[str, str]:
    """Write ``videos/*.mp4``, ``train.txt``, ``val.txt`` and ``classes.txt``.

    Args:
        out_dir: output folder (created).
        num_train_per_class / num_val_per_class: videos per class and split.
        num_frames: frames per video (or a random count in ``frame_count_range``).
        height, width: frame size.
        seed: the whole dataset is a function of the seed.
        style: ``'motion'`` (hard: random appearance, wrap-around, distractors),
            ``'camera'`` (camera motion over a shared texture pool) or ``'motion_bright'``
            (``'motion'`` with a dark background and bright shapes; module docstring).
        num_textures: size of the ``'camera'`` style's texture pool.

    Returns:
        paths of the ``train`` and ``val`` annotation files and the video ``root``.
    """
    if width < 64 or width % 2 or height % 2:
        raise ValueError(f'frame size {height}x{width}: use even sizes and a width >= 64 '
                         '(decord 0.6 misreads mp4v files narrower than 64 px)')
    if style not in STYLES:
        raise ValueError(f'style must be one of {STYLES}, got {style!r}')
    if style in ('motion', 'motion_bright'):

        def render(label, n, h, w, rng):
            return render_video(label, n, h, w, rng, bright=style == 'motion_bright')
    else:
        longest = num_frames if frame_count_range is None else frame_count_range[1]
        side = camera_texture_side(longest, height, width)
        textures = make_texture_pool(num_textures, side, seed)

        def render(label, n, h, w, rng):
            return render_camera_video(label, n, h, w, rng, textures)

    rng = np.random.default_rng(seed)
    video_dir = osp.join(out_dir, 'videos')
    os.makedirs(video_dir, exist_ok=True)
    lists = {}
    for split, per_class in (('train', num_train_per_class), ('val', num_val_per_class)):
        lines = []
        for label in range(len(CLASSES)):
            for i in range(per_class):
                n = num_frames if frame_count_range is None else int(
                    rng.integers(frame_count_range[0], frame_count_range[1] + 1))
                name = f'{split}_{CLASSES[label]}_{i:03d}.mp4'
                write_mp4(osp.join(video_dir, name), render(label, n, height, width, rng))
                lines.append(f'videos/{name} {label}')
        path = osp.join(out_dir, f'{split}.txt')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        lists[split] = path
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    lists['root'] = out_dir
    return lists
