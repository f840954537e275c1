"""Open videos and decode every needed frame once for all views."""
import os.path as osp
from typing import Dict, List, Set, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.datasets.decoding import BACKENDS, open_video
from vssl_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class VideoOpen(BaseTransform):
    """Open a video (or index a rawframe folder) inside the worker, frame-exactly.

    Adds ``video_reader`` (a reader from :func:`~vssl_mm.datasets.decoding.open_video`),
    ``total_frames``, ``avg_fps`` and ``decode_backend`` (the backend used for this file).
    Raises a clear error naming the file when it is missing, unreadable or has no frames;
    the dataset then skips it (training) or the error propagates (testing, inference).

    Args:
        backend: ``'auto'`` (default: decord where its random access is exact for the
            file, PyAV's exact reader otherwise), ``'pyav'`` or ``'decord'``
            (unguarded). See :mod:`vssl_mm.datasets.decoding`.
        num_threads: decoding threads.
    """

    def __init__(self, backend: str = 'auto', num_threads: int = 1) -> None:
        if backend not in BACKENDS:
            raise ValueError(f'VideoOpen: unknown backend {backend!r}; valid: {BACKENDS}')
        self.backend = backend
        self.num_threads = num_threads

    def transform(self, results: Dict) -> Dict:
        if 'frame_dir' in results:  # rawframes: total_frames comes from the list
            if not osp.isdir(results['frame_dir']):
                raise FileNotFoundError(f'frame folder "{results["frame_dir"]}" not found')
            if results.get('total_frames', 0) <= 0:
                raise ValueError(f'"{results["frame_dir"]}" lists no frames')
            return results
        filename = results['filename']
        reader = open_video(filename, self.backend, self.num_threads)
        if reader.num_frames <= 0:
            raise ValueError(f'video "{filename}" has no frames')
        results['video_reader'] = reader
        results['total_frames'] = reader.num_frames
        results['avg_fps'] = reader.fps
        results['decode_backend'] = reader.backend
        self._log_choice(filename, reader)
        return results

    _logged: Set[Tuple[str, str, str]] = set()

    def _log_choice(self, filename: str, reader) -> None:
        """Log once per process and (codec, backend, mode) what reads such files."""
        info = getattr(reader, 'info', None)
        codec = info.codec if info is not None else '?'
        mode = info.pyav_mode if reader.backend == 'pyav' else 'random access'
        key = (codec, reader.backend, mode)
        if key in VideoOpen._logged:
            return
        VideoOpen._logged.add(key)
        from mmengine.logging import print_log
        why = {
            'auto': 'chosen per file',
            'pyav': 'configured',
            'decord': 'configured, unguarded'
        }[self.backend]
        print_log(
            f'VideoOpen(backend={self.backend!r}, {why}): "{filename}" and its kind '
            f'are read by {reader.backend} ({mode})',
            logger='current')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(backend={self.backend!r}, '
                f'num_threads={self.num_threads})')


@TRANSFORMS.register_module()
class MultiViewDecode(BaseTransform):
    """Decode the union of every view's frame indices once, then cut the views from it.

    Required keys: ``view_frame_inds`` (list of int arrays, one per view), and
    ``video_reader`` or ``frame_dir``. Adds ``views`` (list of ``(T, H, W, 3)`` uint8 RGB
    arrays), ``original_shape``, ``img_shape``, ``num_decoded_frames`` (distinct frames
    decoded) and ``num_needed_frames`` (distinct frames the views use); they are equal by
    construction, and the benchmark tools report both.
    """

    def transform(self, results: Dict) -> Dict:
        inds: List[np.ndarray] = [np.asarray(i, dtype=np.int64) for i in results['view_frame_inds']]
        total = int(results['total_frames'])
        all_inds = np.concatenate(inds) if inds else np.zeros(0, np.int64)
        if all_inds.size == 0:
            raise ValueError('the sampler produced no frame indices')
        if all_inds.min() < 0 or all_inds.max() >= total:
            raise IndexError(f'frame index out of range [0, {total}) for '
                             f'"{results.get("filename", results.get("frame_dir"))}": '
                             f'{all_inds.min()}..{all_inds.max()}')
        unique, inverse = np.unique(all_inds, return_inverse=True)
        frames = self._decode(results, unique)  # (U, H, W, 3)
        views, start = [], 0
        for i in inds:
            views.append(frames[inverse[start:start + len(i)]])
            start += len(i)
        results['views'] = views
        results['num_decoded_frames'] = int(len(unique))
        results['num_needed_frames'] = int(len(unique))
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        results.pop('video_reader', None)
        return results

    @staticmethod
    def _decode(results: Dict, unique: np.ndarray) -> np.ndarray:
        if 'video_reader' in results:
            reader = results['video_reader']
            if hasattr(reader, 'get_frames'):  # vssl_mm.datasets.decoding readers
                return reader.get_frames(unique)
            try:  # any decord-like reader
                return reader.get_batch(list(unique)).asnumpy()
            except Exception as e:
                raise IOError(f'decoding failed on "{results.get("filename")}" at frames '
                              f'{unique.min()}..{unique.max()}: {e}') from None
        tmpl = results.get('filename_tmpl', 'img_{:05}.jpg')
        offset = results.get('start_index', 1)
        out = []
        for idx in unique:
            path = osp.join(results['frame_dir'], tmpl.format(int(idx) + offset))
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                raise IOError(f'cannot read frame "{path}"')
            out.append(img[..., ::-1])
        return np.stack(out)


@TRANSFORMS.register_module()
class VideoDecode(BaseTransform):
    """Frame-exact drop-in for mmaction2's ``DecordDecode`` after :class:`VideoOpen`.

    Reads ``frame_inds`` (any shape and order, repeats allowed, as mmaction2's samplers
    write them), decodes each distinct frame once and sets ``imgs`` (list of
    ``(H, W, 3)`` uint8 RGB frames in ``frame_inds`` order), ``original_shape`` and
    ``img_shape``.
    """

    def __init__(self) -> None:
        self._decode = MultiViewDecode()

    def transform(self, results: Dict) -> Dict:
        inds = np.asarray(results['frame_inds'], dtype=np.int64).reshape(-1)
        results['view_frame_inds'] = [inds]
        results = self._decode.transform(results)
        results['imgs'] = list(results.pop('views')[0])
        results.pop('view_frame_inds')
        return results
