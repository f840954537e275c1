"""CtrlAugCrop (ctrl_aug): local crops inside the global crop, recorded parameters
reproducing the views."""

import numpy as np

from vssl_mm.datasets.transforms import CtrlAugCrop, CtrlAugSampler, MultiViewDecode, VideoOpen


def test_crops_inside_global_crop_many_seeds():
    crop = CtrlAugCrop(out_size=(24, 32), global_area=(0.3, 1.0), local_area=(0.1, 1.0))
    frames = np.zeros((2, 90, 120, 3), np.uint8)
    flips_seen = set()
    for seed in range(300):
        np.random.seed(seed)
        res = crop.transform(dict(views=[frames] * 5))
        b = res['ctrl_params']['boxes']
        assert b.shape == (5, 4)
        assert (b[0, :2] >= 0).all() and b[0, 2] <= 120 and b[0, 3] <= 90
        for lb in b[1:]:
            assert lb[0] >= b[0, 0] and lb[1] >= b[0, 1]
            assert lb[2] <= b[0, 2] and lb[3] <= b[0, 3]
            assert lb[2] > lb[0] and lb[3] > lb[1]
        flips_seen.update(res['ctrl_params']['flips'].tolist())
        assert res['global_view'][0].shape == (2, 24, 32, 3)
        assert len(res['views']) == 4 and res['views'][0].shape == (2, 24, 32, 3)
    assert flips_seen == {True, False}


def test_recorded_parameters_reproduce_views(synthetic_data):
    import cv2
    import decord
    fn = open(synthetic_data['train']).readline().split()[0]
    path = f"{synthetic_data['root']}/{fn}"
    pipeline = [
        VideoOpen(),
        CtrlAugSampler(num_clips=3, clip_len=8, global_len=8),
        MultiViewDecode(),
        CtrlAugCrop(out_size=40, global_flip_ratio=0.5, local_flip_ratio=0.5)
    ]
    for seed in range(4):
        np.random.seed(seed)
        res = dict(filename=path)
        for t in pipeline:
            res = t(res)
        p = res['ctrl_params']
        raw = decord.VideoReader(path)  # independent decode of the recorded frames
        views = res['global_view'] + res['views']
        for v, (inds, box, flip) in enumerate(zip(res['view_frame_inds'], p['boxes'], p['flips'])):
            frames = raw.get_batch(list(inds)).asnumpy()
            x0, y0, x1, y1 = box.astype(int)
            ref = np.stack([cv2.resize(f[y0:y1, x0:x1], (40, 40)) for f in frames])
            if flip:
                ref = ref[:, :, ::-1]
            np.testing.assert_array_equal(views[v], ref)
        assert res['num_decoded_frames'] == len(np.unique(np.concatenate(res['view_frame_inds'])))
