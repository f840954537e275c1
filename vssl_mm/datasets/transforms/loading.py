"""Open videos and decode every needed frame once for all views."""
import os.path as osp
from typing import Dict, List, Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class VideoOpen(BaseTransform):
    """Open a video with decord (or index a rawframe folder) inside the worker.

    Adds ``video_reader`` (decord) and ``total_frames``. Raises a clear error naming the
    file when it is missing, unreadable or has no frames; the dataset then skips it.

    Args:
        num_threads: decord decoding threads.
    """

    def __init__(self, num_threads: int = 1) -> None:
        self.num_threads = num_threads

    def transform(self, results: Dict) -> Dict:
        if 'frame_dir' in results:  # rawframes: total_frames comes from the list
            if not osp.isdir(results['frame_dir']):
                raise FileNotFoundError(f'frame folder "{results["frame_dir"]}" not found')
            if results.get('total_frames', 0) <= 0:
                raise ValueError(f'"{results["frame_dir"]}" lists no frames')
            return results
        filename = results['filename']
        if not osp.isfile(filename):
            raise FileNotFoundError(f'video "{filename}" not found')
        import decord
        try:
            reader = decord.VideoReader(filename, num_threads=self.num_threads)
        except Exception as e:  # decord raises DECORDError / RuntimeError
            raise IOError(f'decord cannot open "{filename}": {e}') from None
        total = len(reader)
        if total <= 0:
            raise ValueError(f'video "{filename}" has no frames')
        results['video_reader'] = reader
        results['total_frames'] = total
        results['avg_fps'] = reader.get_avg_fps()
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_threads={self.num_threads})'


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
        inds: List[np.ndarray] = [np.asarray(i, dtype=np.int64)
                                  for i in results['view_frame_inds']]
        total = int(results['total_frames'])
        all_inds = np.concatenate(inds) if inds else np.zeros(0, np.int64)
        if all_inds.size == 0:
            raise ValueError('the sampler produced no frame indices')
        if all_inds.min() < 0 or all_inds.max() >= total:
            raise IndexError(
                f'frame index out of range [0, {total}) for '
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
            try:
                return reader.get_batch(list(unique)).asnumpy()
            except Exception as e:
                raise IOError(f'decord failed on "{results.get("filename")}" at frames '
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
