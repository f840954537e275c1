"""Datasets over mmaction2 annotation lists, with unreadable videos skipped and counted."""
import os.path as osp
import random
from typing import Callable, Dict, List, Optional, Union

import numpy as np
import torch
from mmaction.datasets import BaseActionDataset
from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from vssl_mm.registry import DATASETS
from .transforms.builder import build_transforms


def seed_everything(seed: int) -> None:
    """Seed ``random``, ``numpy`` and ``torch`` (used per sample by SeededSampler)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


class SkipBrokenMixin:
    """Skip samples whose pipeline raises (broken video) or returns ``None`` (too short).

    Each failing file is warned about once (its path and the reason) and counted in
    :attr:`failures`. In training another random sample is drawn instead, at most
    ``max_refetch`` times in a row; once more files have failed than
    :meth:`failure_limit` allows (``max(max_failures, max_fail_ratio * len)``), an error
    listing examples stops training. In test mode a failure raises at once with the file
    name, since silently substituting videos would bias evaluation.
    """

    max_refetch: int
    max_fail_ratio: float
    max_failures: int

    def _init_skip(self, max_refetch: int, max_fail_ratio: float, max_failures: int = 10) -> None:
        if not 0 <= max_fail_ratio < 1:
            raise ValueError(f'max_fail_ratio={max_fail_ratio!r}: must be in [0, 1)')
        if max_failures < 0:
            raise ValueError(f'max_failures={max_failures!r}: must be >= 0')
        self.max_refetch = max_refetch
        self.max_fail_ratio = max_fail_ratio
        self.max_failures = max_failures
        self.failures: Dict[str, str] = {}

    def failure_limit(self) -> int:
        """Most distinct failing files tolerated: an absolute floor and a share."""
        return max(self.max_failures, int(self.max_fail_ratio * len(self)))

    def failure_limit_text(self) -> str:
        return (f'max(max_failures={self.max_failures}, max_fail_ratio='
                f'{self.max_fail_ratio} x {len(self)} videos) = {self.failure_limit()}')

    def _name_of(self, idx: int) -> str:
        info = self.get_data_info(idx)
        return info.get('filename', info.get('frame_dir', f'index {idx}'))

    @staticmethod
    def _attach_skipped(data: dict, skipped: List[str]) -> None:
        """Put ``skipped_videos`` (``"name: reason"`` per failed load) into the returned
        sample's metainfo, so that :class:`SkippedVideosHook` counts failures that
        happened inside dataloader workers."""
        sample = data.get('data_samples', None) if isinstance(data, dict) else None
        if sample is not None and hasattr(sample, 'set_metainfo'):
            sample.set_metainfo(dict(skipped_videos=list(skipped)))

    def _record_failure(self, idx: int, reason: str) -> None:
        name = self._name_of(idx)
        if self.test_mode:  # nothing is skipped in evaluation: stop naming the file
            raise RuntimeError(f'Video "{name}" could not be loaded in test mode: {reason}')
        if name not in self.failures:
            self.failures[name] = reason
            print_log(
                f'Skipped unreadable or too-short video "{name}": {reason} '
                f'({len(self.failures)} skipped so far)',
                logger='current',
                level=30)
        if len(self.failures) > self.failure_limit():
            examples = '; '.join(f'{k}: {v}' for k, v in list(self.failures.items())[:5])
            raise RuntimeError(
                f'{len(self.failures)} of {len(self)} videos failed to load, more than '
                f'{self.failure_limit_text()}. Examples: {examples}. Check the '
                'annotation file and data root (tools/data/check_videos.py), or raise '
                'max_failures / max_fail_ratio in the dataset config.')

    def __getitem__(self, idx) -> dict:
        if not self._fully_initialized:
            self.full_init()
        if isinstance(idx, (tuple, list)):  # (index, seed) from SeededSampler
            idx, seed = idx
            seed_everything(int(seed))
        skipped: List[str] = []
        for _ in range(self.max_refetch + 1):
            try:
                data = self.prepare_data(idx)
                reason = 'the pipeline returned None (too few frames for the sampler)'
            except Exception as e:  # a broken file must not kill training
                data = None
                reason = f'{type(e).__name__}: {e}'
            if data is not None:
                if skipped:
                    self._attach_skipped(data, skipped)
                return data
            self._record_failure(idx, reason)
            skipped.append(f'{self._name_of(idx)}: {reason}')
            idx = random.randrange(len(self))
        raise RuntimeError(
            f'{self.max_refetch + 1} samples in a row failed to load; last reason: {reason}')


@DATASETS.register_module()
class VideoSSLDataset(SkipBrokenMixin, BaseActionDataset):
    """Video files (read frame-exactly by ``VideoOpen``) or rawframe folders listed in an
    mmaction2 annotation file.

    Lines are ``path [label]`` for videos and ``frame_dir total_frames [label]`` for
    rawframes (``data_type='rawframes'``); the label is optional (``-1`` when absent), so
    the same file serves unlabelled pretraining and labelled evaluation.

    Args:
        ann_file: annotation list.
        pipeline: transforms (see ``vssl_mm.datasets.transforms``).
        data_prefix: ``dict(video=ROOT)`` prepended to paths.
        data_type: ``'video'`` or ``'rawframes'``.
        filename_tmpl: rawframe file name template.
        max_refetch: draws of another sample after a failure, in a row.
        max_fail_ratio: share of the dataset allowed to fail before training stops.
        max_failures: distinct failing files always tolerated, whatever the share (so
            that 2 broken files in a 10-video list do not stop a run).
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 data_prefix: dict = dict(video=''),
                 data_type: str = 'video',
                 filename_tmpl: str = 'img_{:05}.jpg',
                 start_index: Optional[int] = None,
                 delimiter: str = ' ',
                 max_refetch: int = 10,
                 max_fail_ratio: float = 0.1,
                 max_failures: int = 10,
                 **kwargs) -> None:
        if data_type not in ('video', 'rawframes'):
            raise ValueError(f"data_type must be 'video' or 'rawframes', got {data_type!r}")
        if not exists(ann_file):
            raise FileNotFoundError(f'Annotation file "{ann_file}" does not exist.')
        root = (data_prefix or {}).get('video', '')
        if root and not osp.isdir(root):
            raise FileNotFoundError(f'data_prefix.video "{root}" is not a directory.')
        self.data_type = data_type
        self.filename_tmpl = filename_tmpl
        self.delimiter = delimiter
        self._init_skip(max_refetch, max_fail_ratio, max_failures)
        if start_index is None:
            start_index = 0 if data_type == 'video' else 1
        # built from vssl_mm's registry so that the dataset also works without a
        # default scope (vssl_mm types first, then mmaction2's and mmengine's)
        pipeline = build_transforms(pipeline)
        super().__init__(
            ann_file, pipeline=pipeline, data_prefix=data_prefix, start_index=start_index, **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = []
        root = self.data_prefix.get('video', '') or ''
        for lineno, line in enumerate(list_from_file(self.ann_file), 1):
            parts = line.strip().split() if self.delimiter == ' ' else \
                line.strip().split(self.delimiter)
            if not parts:
                continue
            try:
                if self.data_type == 'video':
                    if len(parts) > 2:
                        raise ValueError('expected "path [label]"')
                    label = int(parts[1]) if len(parts) == 2 else -1
                    data_list.append(dict(filename=osp.join(root, parts[0]), label=label))
                else:
                    if len(parts) not in (2, 3):
                        raise ValueError('expected "frame_dir total_frames [label]"')
                    label = int(parts[2]) if len(parts) == 3 else -1
                    data_list.append(
                        dict(
                            frame_dir=osp.join(root, parts[0]),
                            total_frames=int(parts[1]),
                            label=label,
                            filename_tmpl=self.filename_tmpl))
            except ValueError as e:
                raise ValueError(
                    f'{self.ann_file}, line {lineno}: cannot parse {line.strip()!r}: {e}') from None
        if not data_list:
            raise ValueError(f'Annotation file "{self.ann_file}" lists no videos.')
        return data_list
