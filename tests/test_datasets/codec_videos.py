"""Short test videos in real codecs (B-frames included), written with PyAV and OpenCV.

Every frame carries its index: a horizontal band of grey ``(37 * i) % 256`` (distinct for
the first 256 frames) over a texture that moves 3 px per frame, so a frame delivered at
the wrong index differs from the reference by far more than codec noise.
"""
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from vssl_mm.datasets.decoding import decode_all_opencv

# name -> (file name, PyAV container format, codec, stream options, B-frames)
CODECS: Dict[str, tuple] = {
    # Xvid-style MPEG-4 Part 2 AVI with B-frames: how UCF101 / HMDB51 ship
    'mpeg4_bframes_avi': ('mpeg4_b.avi', 'avi', 'mpeg4', {}, 2),
    # the same stream in mp4 (timestamps stored): decord still misreads it
    'mpeg4_bframes_mp4': ('mpeg4_b.mp4', 'mp4', 'mpeg4', {}, 2),
    # H.264 with B-frames: how Kinetics ships
    'h264_bframes_mp4': ('h264_b.mp4', 'mp4', 'libx264', {
        'bf': '2',
        'g': '30',
        'preset': 'ultrafast'
    }, None),
}


def frame(i: int, height: int = 64, width: int = 96) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB frame ``i``."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    img = np.roll(base, 3 * i, axis=1)
    img[:8] = (37 * i) % 256
    return img


def write_pyav(path: str,
               fmt: str,
               codec: str,
               options: dict,
               bframes,
               num_frames: int,
               gop: int = 12) -> str:
    import av
    with av.open(path, 'w', format=fmt) as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 64, 'yuv420p'
        stream.codec_context.gop_size = gop
        if bframes is not None:
            stream.codec_context.max_b_frames = bframes
        if options:
            stream.options = dict(options)
        for i in range(num_frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame(i), format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_mp4v(path: str, num_frames: int) -> str:
    """OpenCV's ``mp4v`` (no B-frames): what the synthetic dataset writes."""
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25, (96, 64))
    for i in range(num_frames):
        writer.write(np.ascontiguousarray(frame(i)[..., ::-1]))
    writer.release()
    return path


def write_all(folder: str, num_frames: int = 90) -> Dict[str, str]:
    """Write every test video into ``folder``; ``{name: path}``."""
    out = {}
    for name, (fname, fmt, codec, options, bframes) in CODECS.items():
        out[name] = write_pyav(osp.join(folder, fname), fmt, codec, options, bframes, num_frames)
    out['mp4v'] = write_mp4v(osp.join(folder, 'mp4v.mp4'), num_frames)
    return out


def sequential_decode(path: str) -> np.ndarray:
    """Every frame decoded in order by OpenCV (the reference)."""
    return decode_all_opencv(path)


def wrong_frames(delivered: np.ndarray,
                 reference: np.ndarray,
                 inds: np.ndarray,
                 tol: float = 1.0) -> np.ndarray:
    """Indices whose delivered frame differs from the reference (mean abs > ``tol``)."""
    diff = np.abs(delivered.astype(np.int16) - reference[inds]).mean(axis=(1, 2, 3))
    return np.asarray(inds)[diff > tol]
