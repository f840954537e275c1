"""Build transform configs with vssl_mm's registry, whatever the current default scope."""
from typing import Callable, List, Sequence, Union

from mmengine.registry import DefaultScope

from vssl_mm.registry import TRANSFORMS


def build_transforms(transforms: Sequence[Union[dict, Callable]]) -> List[Callable]:
    """Build each dict with ``vssl_mm``'s TRANSFORMS (vssl_mm types first, then
    mmaction2's and mmengine's), also when another scope (e.g. ``mmengine`` after a bare
    Runner) is the current default; callables pass through."""
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        return [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in transforms]
