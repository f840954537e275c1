"""PackMultiViewInputs, and the packed views through the data preprocessor."""

import numpy as np
import pytest
import torch

from vssl_mm.datasets.transforms import PackMultiViewInputs


def test_pack_and_preprocess_shapes():
    from vssl_mm.models.data_preprocessors import MultiViewDataPreprocessor
    views = [np.full((4, 6, 7, 3), 10 * i, np.uint8) for i in range(3)]
    packed = PackMultiViewInputs(meta_keys=('order_label', ))(
        dict(views=views, label=2, order_label=5))
    assert packed['inputs'].shape == (3, 3, 4, 6, 7)
    assert packed['data_samples'].order_label == 5
    assert packed['data_samples'].gt_label.item() == 2
    pre = MultiViewDataPreprocessor(mean=[127.5] * 3, std=[127.5] * 3)
    out = pre(dict(inputs=[packed['inputs']] * 2, data_samples=[packed['data_samples']] * 2))
    assert out['inputs'].shape == (2, 3, 3, 4, 6, 7)
    assert torch.allclose(out['inputs'][0, 1], torch.full((3, 4, 6, 7), (10 - 127.5) / 127.5))
    with pytest.raises(ValueError, match='differ in shape'):
        PackMultiViewInputs()(dict(views=[views[0], views[0][:2]]))
