"""r3d18_synthetic_camera.py: per-clip colour jitter / grey on the camera videos, the rest
as r3d18_synthetic.py (which keeps the authors' per-frame jitter)."""
import os.path as osp

from mmengine.config import Config

ROOT = osp.join(osp.dirname(__file__), '..', '..')


def _views_apply(name):
    cfg = Config.fromfile(osp.join(ROOT, f'configs/mlrep/{name}.py'))
    steps = [t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'ViewsApply']
    assert len(steps) == 1
    return cfg, [t['type'] for t in steps[0]['transforms']], steps[0]['transforms']


def test_camera_config_changes_only_the_colour_granularity():
    base, base_types, base_t = _views_apply('r3d18_synthetic')
    cam, cam_types, cam_t = _views_apply('r3d18_synthetic_camera')
    assert base_types[3:] == ['FrameColorJitter', 'FrameGrayscale']
    assert cam_types == base_types[:3] + ['ClipColorJitter', 'ClipGrayscale']
    assert cam_t[:3] == base_t[:3]  # same crop, resize, no flip
    for key in ('brightness', 'contrast', 'saturation', 'hue', 'p'):
        assert cam_t[3][key] == base_t[3][key]  # same strengths
    assert cam_t[4]['p'] == base_t[4]['p'] == 0.5
    assert cam.model == base.model
    assert cam.train_dataloader.dataset.ann_file == 'data/synthetic_camera/train.txt'
    assert cam.train_dataloader.dataset.data_prefix == dict(video='data/synthetic_camera')
    assert cam.train_cfg.max_epochs == 60
    assert cam.param_scheduler[0]['T_max'] == cam.param_scheduler[0]['end'] == 60
