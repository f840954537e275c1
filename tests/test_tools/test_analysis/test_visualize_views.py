"""tools/analysis/visualize_views.py draws every method's synthetic pipeline."""
import glob
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.conftest import REPO, run_tool

sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
import visualize_views  # noqa: E402

CONFIGS = sorted(
    osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs', '*', '*synthetic*.py')))
# what each method's picture must show (metainfo keys of its targets)
EXPECTED_META = {
    'seg_order_rate/r21d_synthetic.py': ('order_label', 'seg_rates'),
    'ctrl_aug/r3d18_synthetic.py': ('lowlevel_level', 'lowlevel_params'),
    'hdc/r3d18_synthetic.py': ('view_starts', ),
}


def _opts(data):
    return [
        f'train_dataloader.dataset.ann_file={data["train"]}',
        f'train_dataloader.dataset.data_prefix.video={data["root"]}'
    ]


def test_every_method_has_a_synthetic_config():
    methods = {c.split(osp.sep)[1] for c in CONFIGS}
    assert {'simclr', 'seg_order_rate', 'hdc', 'mlrep', 'ctrl_aug'} <= methods


@pytest.mark.parametrize('config', CONFIGS)
def test_views_png(config, synthetic_data, tmp_path):
    import matplotlib.image as mpimg

    import vssl_mm  # noqa: F401
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(dict(a.split('=', 1) for a in _opts(synthetic_data)))
    init_default_scope('vssl_mm')
    inputs, extras, meta, sources, crop_inputs = visualize_views.run_pipeline(cfg, seed=3)
    assert inputs.dim() == 5 and inputs.dtype == torch.uint8  # (V, C, T, H, W)
    n_views = inputs.shape[0] + sum(v.shape[0] for v in extras.values())
    assert len(sources) in (inputs.shape[0], n_views)  # one decoded source per view
    for key in EXPECTED_META.get(config.split(osp.sep, 1)[1], ()):
        assert key in meta, (key, sorted(meta))
    if 'ctrl_aug' in config:
        assert 'global_view' in extras and extras['global_view'].shape[0] == 1
    frame_inds = meta.get('view_frame_inds')
    if frame_inds is not None and len(frame_inds) == len(sources):
        total = synthetic_data_total_frames = 32
        assert all(0 <= int(np.min(f)) and int(np.max(f)) < total for f in frame_inds), \
            synthetic_data_total_frames
    out = str(tmp_path / 'views.png')
    visualize_views.draw(inputs, extras, meta, sources, crop_inputs, out, title=config)
    img = mpimg.imread(out)
    rows = inputs.shape[0] + sum(v.shape[0] for v in extras.values())
    assert img.shape[0] > 100 * rows  # one row of frames per view
    assert img[..., :3].std() > 0.05


def test_crop_box_in_source_coordinates(synthetic_data):
    """simclr crops the decoded frame first: the recorded crop input is the source size,
    and the box lies inside it."""
    import vssl_mm  # noqa: F401
    cfg = Config.fromfile(osp.join(REPO, 'configs/simclr/r3d18_synthetic.py'))
    cfg.merge_from_dict(dict(a.split('=', 1) for a in _opts(synthetic_data)))
    init_default_scope('vssl_mm')
    inputs, _, meta, sources, crop_inputs = visualize_views.run_pipeline(cfg, seed=0)
    assert crop_inputs == [s.shape[1:3] for s in sources]
    for p in meta['view_params']:
        x1, y1, x2, y2 = p['crop_bbox']
        assert 0 <= x1 < x2 <= 64 and 0 <= y1 < y2 <= 64


@pytest.mark.slow
def test_cli_on_a_given_video(synthetic_data, tmp_path):
    with open(synthetic_data['train']) as f:
        video = osp.join(synthetic_data['root'], f.readline().split()[0])
    out = str(tmp_path / 'v.png')
    proc = run_tool([
        'tools/analysis/visualize_views.py', 'configs/seg_order_rate/r21d_synthetic.py', '--video',
        video, '--max-frames', '4', '--out', out
    ])
    assert osp.isfile(out) and '2 views' in proc.stdout
