"""A distributed sampler that also seeds each sample's augmentations."""
from typing import Iterator, Tuple

import numpy as np
from mmengine.dataset import DefaultSampler

from vssl_mm.registry import DATA_SAMPLERS


def sample_seed(seed: int, epoch: int, position: int) -> int:
    """A 32-bit seed that is a pure function of (run seed, epoch, global position)."""
    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, epoch, position]).generate_state(1)[0])


@DATA_SAMPLERS.register_module()
class SeededSampler(DefaultSampler):
    """``DefaultSampler`` that yields ``(index, seed)`` pairs.

    The dataset (:class:`SkipBrokenMixin`) seeds ``random``, ``numpy`` and ``torch`` with
    ``seed`` before running the pipeline, so every augmentation depends only on the run
    seed, the epoch and the sample's position: the same with 0 or 8 workers, persistent
    or not, and after ``--resume`` (mmengine's default worker seeding repeats the same
    augmentations every epoch when workers are re-created, and is lost on resume).
    """

    def __iter__(self) -> Iterator[Tuple[int, int]]:
        indices = list(super().__iter__())
        first = self.rank  # global position of this rank's first sample
        return iter((idx, sample_seed(self.seed, self.epoch, first + i * self.world_size))
                    for i, idx in enumerate(indices))
