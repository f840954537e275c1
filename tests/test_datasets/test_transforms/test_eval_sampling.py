"""FiveCrop."""

import numpy as np

import vssl_mm  # noqa: F401
from vssl_mm.registry import TRANSFORMS


def test_five_crop():
    imgs = [np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)] * 2
    r = TRANSFORMS.build(dict(type='FiveCrop', crop_size=10))(dict(imgs=list(imgs)))
    assert len(r['imgs']) == 10 and r['img_shape'] == (10, 10)
    starts = r['crop_bbox'][:, :2].tolist()  # one box per crop, centre first
    assert starts == [[10, 5], [0, 0], [20, 0], [0, 10], [20, 10]]
    np.testing.assert_array_equal(r['imgs'][0], imgs[0][5:15, 10:20])
    np.testing.assert_array_equal(r['imgs'][9], imgs[0][10:20, 20:30])
