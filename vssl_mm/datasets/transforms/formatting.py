"""Pack multi-view samples: inputs ``(V, C, T, H, W)`` uint8, targets in metainfo."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

from vssl_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackMultiViewInputs(BaseTransform):
    """Stack the views into ``inputs`` of shape ``(V, C, T, H, W)`` (uint8).

    All views must share ``(T, H, W)``; methods whose views differ in length pack them
    under separate keys with ``extra_view_keys`` (each a ``(V', C, T', H', W')`` tensor in
    the metainfo). ``label`` (if >= 0) becomes ``gt_label``; each key of ``meta_keys``
    present in the results is copied into the data sample's metainfo.

    Args:
        meta_keys: result keys to keep as metainfo (targets, recorded parameters).
        extra_view_keys: result keys holding lists of views packed separately.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = ('filename', 'frame_dir', 'total_frames', 'view_frame_inds',
                                    'view_params', 'num_decoded_frames', 'num_needed_frames'),
        extra_view_keys: Sequence[str] = ()
    ) -> None:
        self.meta_keys = tuple(meta_keys)
        self.extra_view_keys = tuple(extra_view_keys)

    @staticmethod
    def _stack(views: Sequence[np.ndarray], what: str) -> torch.Tensor:
        shapes = {v.shape for v in views}
        if len(shapes) != 1:
            raise ValueError(f'{what}: views differ in shape {sorted(shapes)}; pack them '
                             'under separate keys (extra_view_keys)')
        t, h, w, c = views[0].shape
        arr = np.empty((len(views), c, t, h, w), dtype=views[0].dtype)
        for i, view in enumerate(views):  # one transposing copy per view (no stack first)
            arr[i] = view.transpose(3, 0, 1, 2)
        return torch.from_numpy(arr)

    def transform(self, results: Dict) -> Dict:
        inputs = self._stack(results['views'], 'views')
        sample = ActionDataSample()
        label = results.get('label', -1)
        if isinstance(label, (int, np.integer)) and label >= 0:
            sample.set_gt_label(int(label))
        meta = {k: results[k] for k in self.meta_keys if k in results}
        for key in self.extra_view_keys:
            meta[key] = self._stack(results[key], key)
        sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'extra_view_keys={self.extra_view_keys})')
