"""Frame-exact video decoding: frame ``i`` is the ``i``-th frame of an in-order decode.

Temporal pretext labels (segment order, playback rate, time windows) live on frame
indices, so the frame a sampler asks for must be the frame delivered. decord's random
access seeks by timestamp and is exact when the stored frames are never reordered
(intra-only or P-only streams: mp4v without B-frames, MJPEG, cinepak, x264 without
B-frames). When the codec reorders frames (B-frames: Xvid/DivX AVI as UCF101 and HMDB51
ship, H.264 as Kinetics ships) or the container's timestamps are wrong, decord can
return other frames than asked, without an error.

Backends (``backend=`` of :class:`~vssl_mm.datasets.transforms.VideoOpen`):

* ``'auto'`` (default): read the packet table once per file (demuxing only, no
  decoding; cached per process) and use decord where the stream is not reordered, the
  exact PyAV reader otherwise.
* ``'pyav'``: always the exact PyAV reader. Streams that are not reordered are read by
  seeking to the keyframe before each needed run of frames and identifying every decoded
  frame by its timestamp; reordered streams are decoded in order from the first frame up
  to the last needed one (only the needed frames are converted to RGB).
* ``'decord'``: decord's random access on every file, unguarded (the pre-0.2 behaviour).

A stream is *reordered* when the codec may reorder frames (``has_b_frames``), its
packets' timestamps in file order are not strictly increasing or missing, or the first
``PROBE_FRAMES`` decoded frames do not come out in packet order (H.264 with B-frames
behind timestamps that claim otherwise). Then the display order is known only to the
decoder, and the only exact reference is decoding in order. The PyAV reader checks
every frame it decodes by seeking against the packet table and falls back to decoding
in order on any disagreement.
"""
import os
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

import numpy as np

BACKENDS = ('auto', 'pyav', 'decord')
PROBE_FRAMES = 32  # frames decoded once per file to confirm the packet order


@dataclass(frozen=True)
class StreamInfo:
    """What one demux pass and a short in-order decode tell about a video stream.

    Attributes:
        num_packets: non-empty video packets (one frame each).
        num_frames: frames the stream decodes to: ``num_packets`` until a decode in order
            ran short of it (a broken frame), then the true count.
        reordered: the codec may reorder frames (B-frames) or the packets' timestamps in
            file order are not strictly increasing.
        trusted_timestamps: every packet has a distinct timestamp and the first
            ``PROBE_FRAMES`` frames decoded in order come out in timestamp order with
            none dropped, so the rank of a timestamp is the frame's index.
        pts: ``(num_packets,)`` timestamps in display order (sorted; file order where not
            trusted).
        keyframes: ``(K,)`` display indices of the keyframe packets, sorted.
        codec: codec name, e.g. ``'h264'``, ``'mpeg4'``.
        fps: average frame rate (0 when unknown).
    """
    num_packets: int
    num_frames: int
    reordered: bool
    trusted_timestamps: bool
    pts: np.ndarray
    keyframes: np.ndarray
    codec: str
    fps: float

    def backend_for(self, backend: str = 'auto') -> str:
        """The backend ``'auto'`` resolves to for this stream (others pass through)."""
        if backend != 'auto':
            return backend
        return 'decord' if self.decord_exact else 'pyav'

    @property
    def decord_exact(self) -> bool:
        """decord's timestamp seeking is exact: frames stored in display order."""
        return self.trusted_timestamps and not self.reordered

    @property
    def pyav_mode(self) -> str:
        """How :class:`PyAVVideo` reads it: ``'seek'`` or ``'in_order'``."""
        return 'seek' if self.trusted_timestamps else 'in_order'


_INFO_CACHE: 'OrderedDict[Tuple[str, int, int], StreamInfo]' = OrderedDict()
_INFO_CACHE_SIZE = 16384


def _file_key(path: str) -> Tuple[str, int, int]:
    st = os.stat(path)
    return (osp.realpath(path), st.st_size, st.st_mtime_ns)


def _cache(key: Tuple[str, int, int], info: StreamInfo) -> StreamInfo:
    _INFO_CACHE[key] = info
    _INFO_CACHE.move_to_end(key)
    if len(_INFO_CACHE) > _INFO_CACHE_SIZE:
        _INFO_CACHE.popitem(last=False)
    return info


def _import_av():
    try:
        import av
    except ImportError:
        raise ImportError('exact decoding needs PyAV: pip install av (or set '
                          "backend='decord' in VideoOpen)") from None
    return av


def probe_stream(path: str) -> StreamInfo:
    """Describe the video stream of ``path``; cached per file (path, size, mtime).

    Reads every packet header (no decoding) and decodes the first ``PROBE_FRAMES``
    frames in order. Raises ``IOError`` naming the file when it cannot be read or has
    no video stream.
    """
    key = _file_key(path)
    if key in _INFO_CACHE:
        _INFO_CACHE.move_to_end(key)
        return _INFO_CACHE[key]
    av = _import_av()
    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise IOError(f'cannot open "{path}": no video stream')
            stream = container.streams.video[0]
            pts, keys = [], []
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue  # flush / end-of-stream packets
                if packet.is_keyframe:
                    keys.append(len(pts))
                pts.append(-1 if packet.pts is None else int(packet.pts))
            file_pts = np.asarray(pts, dtype=np.int64)
            reordered = bool(stream.codec_context.has_b_frames > 0
                             or (np.diff(file_pts) <= 0).any())
            trusted = bool(
                len(file_pts) and (file_pts >= 0).all()
                and len(np.unique(file_pts)) == len(file_pts))
            display_pts = np.sort(file_pts) if trusted else file_pts
            if trusted:
                need = min(PROBE_FRAMES, len(file_pts))
                container.seek(int(display_pts[0]), stream=stream, backward=True)
                emitted = []
                for frame in container.decode(stream):
                    emitted.append(-1 if frame.pts is None else int(frame.pts))
                    if len(emitted) == need:
                        break
                trusted = emitted == display_pts[:need].tolist()
            codec = stream.codec_context.name
            fps = float(stream.average_rate) if stream.average_rate else 0.0
    except IOError:
        raise
    except Exception as e:  # av.error.* (InvalidDataError, ...)
        raise IOError(f'cannot open "{path}" (reading its packets): {e}') from None
    if trusted:
        key_display = np.searchsorted(display_pts, file_pts[keys])
    else:
        key_display = np.zeros(0, np.int64)
    info = StreamInfo(
        len(file_pts), len(file_pts), reordered, trusted, display_pts,
        np.sort(np.asarray(key_display, np.int64)), codec, fps)
    return _cache(key, info)


class _NotInDisplayOrder(Exception):
    """The decoder emitted a frame the timestamp table did not predict."""


class DecordVideo:
    """decord's random access (exact only where ``StreamInfo.decord_exact``)."""
    backend = 'decord'

    def __init__(self, path: str, num_threads: int = 1, info: Optional[StreamInfo] = None) -> None:
        import decord
        self.path = path
        self.info = info
        try:
            self._reader = decord.VideoReader(path, num_threads=num_threads)
        except Exception as e:  # decord raises DECORDError / RuntimeError
            raise IOError(f'decord cannot open "{path}": {e}') from None
        self.num_frames = len(self._reader)
        self.fps = float(self._reader.get_avg_fps())

    def __len__(self) -> int:
        return self.num_frames

    def get_frames(self, inds: np.ndarray) -> np.ndarray:
        """``(U,)`` sorted distinct frame indices -> ``(U, H, W, 3)`` uint8 RGB."""
        try:
            return self._reader.get_batch([int(i) for i in inds]).asnumpy()
        except Exception as e:
            raise IOError(f'decord failed on "{self.path}" at frames '
                          f'{int(np.min(inds))}..{int(np.max(inds))}: {e}') from None


class PyAVVideo:
    """Exact frame access with PyAV: frame ``i`` is the ``i``-th frame decoded in order.

    With trusted timestamps (``StreamInfo.pyav_mode == 'seek'``): seek to the keyframe
    at or before each needed run of frames and name every decoded frame by the rank of
    its timestamp; a frame out of sequence marks the file untrusted and the call decodes
    in order instead. Otherwise decode in order from the start up to the last needed
    frame. Only needed frames are converted to RGB. Each call opens the file.
    """
    backend = 'pyav'

    def __init__(self, path: str, num_threads: int = 1, info: Optional[StreamInfo] = None) -> None:
        self.path = path
        self.num_threads = num_threads
        self.info = info if info is not None else probe_stream(path)
        self.num_frames = self.info.num_frames
        self.fps = self.info.fps

    def __len__(self) -> int:
        return self.num_frames

    def get_frames(self, inds: np.ndarray) -> np.ndarray:
        """``(U,)`` sorted distinct frame indices -> ``(U, H, W, 3)`` uint8 RGB.

        Raises ``IOError`` naming the file when the stream ends before a needed frame
        or the decoder fails.
        """
        inds = np.asarray(inds, dtype=np.int64)
        if inds.size == 0:
            raise ValueError('no frame indices')
        if inds.min() < 0 or inds.max() >= self.num_frames:
            raise IndexError(f'frame index out of range [0, {self.num_frames}) for '
                             f'"{self.path}": {inds.min()}..{inds.max()}')
        av = _import_av()
        try:
            with av.open(self.path) as container:
                stream = container.streams.video[0]
                stream.thread_type = 'AUTO' if self.num_threads > 1 else 'SLICE'
                stream.codec_context.thread_count = self.num_threads
                frames = None
                if self.info.pyav_mode == 'seek':
                    try:
                        frames = self._decode_by_seek(container, stream, inds)
                    except _NotInDisplayOrder:
                        self.info = _cache(
                            _file_key(self.path), replace(self.info, trusted_timestamps=False))
                if frames is None:
                    container.seek(0, stream=stream, backward=True)
                    frames = self._decode_in_order(container, stream, inds)
        except (IOError, IndexError):
            raise
        except Exception as e:  # av.error.*
            raise IOError(f'PyAV failed on "{self.path}" at frames '
                          f'{inds.min()}..{inds.max()}: {e}') from None
        return np.stack(frames)

    def _decode_in_order(self, container, stream, inds: np.ndarray) -> List[np.ndarray]:
        wanted = set(inds.tolist())
        last = int(inds.max())
        out: List[np.ndarray] = []
        count = 0
        for frame in container.decode(stream):
            if count in wanted:
                out.append(frame.to_ndarray(format='rgb24'))
            count += 1
            if count > last:
                return out
        # later samples of this file see the true count
        self.info = _cache(_file_key(self.path), replace(self.info, num_frames=count))
        raise IOError(f'"{self.path}" decodes to {count} frames in order, fewer than the '
                      f'{self.info.num_packets} its container lists; frame {last} does '
                      'not exist (truncated or corrupt file)')

    def _decode_by_seek(self, container, stream, inds: np.ndarray) -> List[np.ndarray]:
        pts, keys = self.info.pts, self.info.keyframes  # pts sorted: index = rank
        out: List[np.ndarray] = []
        j = 0  # position in inds of the next needed frame
        while j < len(inds):
            target = int(inds[j])
            k = np.searchsorted(keys, target, side='right') - 1
            start = int(keys[k]) if k >= 0 else 0
            container.seek(int(pts[start]), stream=stream, backward=True)
            position = start - 1  # frames before the keyframe (open GOP) are ignored
            for frame in container.decode(stream):
                if frame.pts is None:
                    raise _NotInDisplayOrder
                index = int(np.searchsorted(pts, frame.pts))
                if index == len(pts) or pts[index] != frame.pts:
                    raise _NotInDisplayOrder
                if index < start and position < start:
                    continue  # leading frames of an open GOP
                if index != position + 1:
                    raise _NotInDisplayOrder
                position = index
                if position == target:
                    out.append(frame.to_ndarray(format='rgb24'))
                    j += 1
                    if j == len(inds):
                        return out
                    target = int(inds[j])
                    k = np.searchsorted(keys, target, side='right') - 1
                    if k >= 0 and keys[k] > position + 1:
                        break  # a keyframe nearer to the next target: seek to it
            else:
                raise IOError(f'"{self.path}" ended at frame {position}, before frame '
                              f'{target} (truncated or corrupt file)')
        return out


def decode_all_opencv(path: str) -> np.ndarray:
    """``(N, H, W, 3)`` uint8 RGB: every frame of ``path`` decoded in order by OpenCV.

    OpenCV carries its own FFmpeg build, independent of decord and PyAV, so this is the
    reference the exactness checks and tests compare against.
    """
    import cv2
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img[..., ::-1])
    cap.release()
    if not frames:
        raise IOError(f'OpenCV decodes no frame of "{path}"')
    return np.stack(frames)


def open_video(path: str, backend: str = 'auto', num_threads: int = 1):
    """Open ``path`` with the reader ``backend`` resolves to for its stream.

    Returns a :class:`DecordVideo` or :class:`PyAVVideo`; both have ``num_frames``,
    ``fps``, ``backend`` and ``get_frames(sorted_distinct_indices)``.
    """
    if backend not in BACKENDS:
        raise ValueError(f'unknown decoding backend {backend!r}; valid: {BACKENDS}')
    if not osp.isfile(path):
        raise FileNotFoundError(f'video "{path}" not found')
    if backend == 'decord':
        return DecordVideo(path, num_threads)
    info = probe_stream(path)
    if info.num_packets == 0:
        raise ValueError(f'video "{path}" has no frames')
    if info.backend_for(backend) == 'decord':
        return DecordVideo(path, num_threads, info)
    return PyAVVideo(path, num_threads, info)
