"""MultiViewDataPreprocessor: optional extra views."""

import numpy as np
import torch

from vssl_mm.datasets.transforms import PackMultiViewInputs


def test_preprocessor_extra_views_optional():
    """Extra views are normalised when every sample has them and ignored otherwise
    (evaluation pipelines of a method with a global view carry none)."""
    from vssl_mm.models.data_preprocessors import MultiViewDataPreprocessor
    view = [np.full((2, 4, 4, 3), 50, np.uint8)]
    pre = MultiViewDataPreprocessor(mean=[50] * 3, std=[2] * 3, extra_view_keys=('global_view', ))
    with_extra = PackMultiViewInputs(extra_view_keys=('global_view', ))(
        dict(views=view, global_view=[np.full((3, 4, 4, 3), 54, np.uint8)]))
    out = pre(dict(inputs=[with_extra['inputs']], data_samples=[with_extra['data_samples']]))
    assert torch.allclose(out['data_samples'][0].global_view, torch.full((1, 3, 3, 4, 4), 2.))
    plain = PackMultiViewInputs()(dict(views=view))
    out = pre(dict(inputs=[plain['inputs']], data_samples=[plain['data_samples']]))
    assert out['inputs'].shape == (1, 1, 3, 2, 4, 4)
