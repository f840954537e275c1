"""Synthetic videos whose classes are defined by motion only.

Eight classes, in four pairs that differ only in the direction of time: translate
right/left, down/up, rotate clockwise/anticlockwise, grow/shrink (a sawtooth of scale).
Appearance is random per video (shape, colours, background texture, static and moving
distractors), positions wrap around and phases are random, so no single frame reveals the
class: only temporal order and motion do. Videos are real mp4 files (OpenCV ``mp4v``)
that decord reads back, listed in mmaction2 format (``videos/NAME.mp4 LABEL``).
"""
import math
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

CLASSES = ('translate_right', 'translate_left', 'translate_down', 'translate_up',
           'rotate_cw', 'rotate_ccw', 'grow', 'shrink')
_SHAPES = ('triangle', 'arrow', 'cross', 'lshape')


def _shape_polygon(kind: str) -> np.ndarray:
    """Unit polygon (no rotational symmetry, so rotation is visible)."""
    if kind == 'triangle':
        pts = [(0, -1.0), (0.6, 0.8), (-0.6, 0.8)]
    elif kind == 'arrow':
        pts = [(0, -1), (0.7, -0.1), (0.25, -0.1), (0.25, 1), (-0.25, 1), (-0.25, -0.1),
               (-0.7, -0.1)]
    elif kind == 'cross':
        pts = [(-0.2, -1), (0.2, -1), (0.2, -0.2), (0.9, -0.2), (0.9, 0.2), (0.2, 0.2),
               (0.2, 0.6), (-0.2, 0.6), (-0.2, 0.2), (-0.6, 0.2), (-0.6, -0.2),
               (-0.2, -0.2)]
    else:  # lshape
        pts = [(-0.6, -1), (-0.1, -1), (-0.1, 0.5), (0.7, 0.5), (0.7, 1), (-0.6, 1)]
    return np.asarray(pts, dtype=np.float64)


def _draw(img: np.ndarray, poly: np.ndarray, center: Tuple[float, float], size: float,
          angle: float, color: Tuple[int, int, int]) -> None:
    h, w = img.shape[:2]
    rot = np.array([[math.cos(angle), -math.sin(angle)],
                    [math.sin(angle), math.cos(angle)]])
    pts = poly @ rot.T * size
    # draw the wrapped copies so that motion on the torus has no visible border
    for dx in (-w, 0, w):
        for dy in (-h, 0, h):
            p = pts + np.array([center[0] + dx, center[1] + dy])
            cv2.fillPoly(img, [np.round(p).astype(np.int32)], color, lineType=cv2.LINE_AA)


def render_video(label: int, num_frames: int, height: int, width: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Render one video of class ``label`` as ``(T, H, W, 3)`` uint8 BGR frames."""
    if not 0 <= label < len(CLASSES):
        raise ValueError(f'label must be in [0, {len(CLASSES)}), got {label}')
    bg = rng.integers(0, 256, 3)
    bg2 = rng.integers(0, 256, 3)
    yy, xx = np.mgrid[0:height, 0:width]
    theta = rng.uniform(0, 2 * np.pi)
    ramp = ((np.cos(theta) * xx + np.sin(theta) * yy) /
            max(height, width) + 1) / 2
    background = (bg[None, None] * (1 - ramp[..., None]) +
                  bg2[None, None] * ramp[..., None])
    background += rng.normal(0, 6, background.shape)
    background = np.clip(background, 0, 255).astype(np.uint8)

    poly = _shape_polygon(_SHAPES[rng.integers(len(_SHAPES))])
    color = tuple(int(c) for c in rng.integers(0, 256, 3))
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
            dict(poly=_shape_polygon(_SHAPES[rng.integers(len(_SHAPES))]),
                 color=tuple(int(c) for c in rng.integers(0, 256, 3)),
                 size=rng.uniform(0.05, 0.1) * base,
                 pos=np.array([rng.uniform(0, width), rng.uniform(0, height)]),
                 vel=rng.normal(0, 0.4, 2), angle=rng.uniform(0, 2 * np.pi)))

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
                           frame_count_range: Optional[Tuple[int, int]] = None
                           ) -> Dict[str, str]:
    """Write ``videos/*.mp4``, ``train.txt``, ``val.txt`` and ``classes.txt``.

    Args:
        out_dir: output folder (created).
        num_train_per_class / num_val_per_class: videos per class and split.
        num_frames: frames per video (or a random count in ``frame_count_range``).
        height, width: frame size.
        seed: the whole dataset is a function of the seed.

    Returns:
        paths of the ``train`` and ``val`` annotation files and the video ``root``.
    """
    if width < 64 or width % 2 or height % 2:
        raise ValueError(f'frame size {height}x{width}: use even sizes and a width >= 64 '
                         '(decord 0.6 misreads mp4v files narrower than 64 px)')
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
                write_mp4(osp.join(video_dir, name),
                          render_video(label, n, height, width, rng))
                lines.append(f'videos/{name} {label}')
        path = osp.join(out_dir, f'{split}.txt')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        lists[split] = path
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    lists['root'] = out_dir
    return lists
