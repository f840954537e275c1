"""tools/analysis/eval_synthetic.py: the table of the README main job."""
import json
import os.path as osp

import torch
from mmengine.config import Config

from tests.conftest import REPO, run_tool
from vssl_mm.registry import MODELS
from vssl_mm.utils import register_all_modules

CONFIG = osp.join(REPO, 'configs/simclr/r3d18_synthetic.py')


def _rows(stdout: str) -> dict:
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 4 and cells[0] and not cells[0].startswith(('-', 'backbone')):
            rows[cells[0]] = tuple(float(c) for c in cells[1:])
    return rows


def test_random_init_checkpoint_reproduces_seed_row(synthetic_data, tmp_path):
    """A checkpoint of the seed-1 random init, loaded into the seed-0-built pretrained
    model, gives exactly the val features and figures of the 'random s1' row; the mean
    row is the mean of the seed rows."""
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(1)
    model = MODELS.build(dict(type='VideoFeatureExtractor', backbone=cfg.model.backbone,
                              data_preprocessor=cfg.model.data_preprocessor))
    model.init_weights()
    ckpt = str(tmp_path / 'random_s1.pth')
    torch.save({'state_dict': model.state_dict()}, ckpt)

    proc = run_tool(['tools/analysis/eval_synthetic.py', CONFIG, ckpt, '--data-root',
                     synthetic_data['root'], '--num-clips', '2', '--random-seeds', '0', '1',
                     '--json', str(tmp_path / 'rows.json')])
    rows = _rows(proc.stdout)
    assert set(rows) == {'pretrained', 'random s0', 'random s1', 'random mean'}, proc.stdout
    assert rows['pretrained'] == rows['random s1']
    dumped = {r['backbone']: r for r in json.load(open(tmp_path / 'rows.json'))}
    sums = {k: dumped[k]['val_feature_checksum'] for k in ('pretrained', 'random s0',
                                                           'random s1')}
    assert sums['pretrained'] == sums['random s1'] != sums['random s0']
    for i in range(3):
        mean = (rows['random s0'][i] + rows['random s1'][i]) / 2
        assert abs(rows['random mean'][i] - mean) < 0.051
    assert 'Initialized by' not in proc.stdout  # init report kept off the table
