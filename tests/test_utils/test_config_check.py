"""Item 3: impossible config values are rejected before training, naming key and value."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from tests.conftest import REPO
from vssl_mm.utils.config_check import ConfigError, add_reliability_hooks, validate_config


def _cfg(name, data):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    ds = cfg.train_dataloader.dataset
    ds.ann_file = data['train']
    ds.data_prefix = dict(video=data['root'])
    return cfg


def _sampler(cfg, type_name):
    return next(t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == type_name)


@pytest.mark.parametrize('name', [
    'simclr/r3d18_synthetic.py', 'seg_order_rate/r21d_synthetic.py', 'hdc/r3d18_synthetic.py',
    'mlrep/r3d18_synthetic.py', 'ctrl_aug/r3d18_synthetic.py'
])
def test_shipped_synthetic_configs_pass(name, synthetic_data):
    validate_config(_cfg(name, synthetic_data), world_size=2)


def test_six_segments_rejected(synthetic_data):
    cfg = _cfg('seg_order_rate/r21d_synthetic.py', synthetic_data)
    _sampler(cfg, 'SegmentOrderRateSampler')['num_segments'] = 6
    with pytest.raises(ConfigError) as e:
        validate_config(cfg)
    msg = str(e.value)
    assert 'train_dataloader.dataset.pipeline[1].num_segments=6: 6! = 720 order classes' \
        in msg
    assert 'model.order_head.num_segments=3: differs' in msg


def test_one_segment_and_order_head_rejected(synthetic_data):
    cfg = _cfg('seg_order_rate/r21d_synthetic.py', synthetic_data)
    _sampler(cfg, 'SegmentOrderRateSampler')['num_segments'] = 1
    cfg.model.order_head.num_segments = 1
    cfg.model.rate_head.num_segments = 1
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert 'num_segments=1: 1! = 1 order classes; supported range is 2..5' in msg
    assert 'model.order_head.num_segments=1' in msg


def test_segments_cannot_sum_to_clip_len(synthetic_data):
    cfg = _cfg('seg_order_rate/r21d_synthetic.py', synthetic_data)
    _sampler(cfg, 'SegmentOrderRateSampler').update(min_len=6)  # 3 x 6 = 18 > 16
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert 'pipeline[1].clip_len=16: 3 segments of min_len=6 need 18 frames' in msg


def test_ctrl_aug_clips(synthetic_data):
    cfg = _cfg('ctrl_aug/r3d18_synthetic.py', synthetic_data)
    _sampler(cfg, 'CtrlAugSampler').update(num_clips=9)  # global_len 8
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert 'pipeline[1].num_clips=9: more local clips than the 8 frames' in msg
    assert 'model.td_head.num_clips=4: differs from' in msg
    _sampler(cfg, 'CtrlAugSampler').update(num_clips=0)
    cfg.model.td_head.num_clips = 0
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert 'num_clips=0: K must be >= 1' in msg


@pytest.mark.parametrize('name,key', [('seg_order_rate/r21d_synthetic.py', 'queue_len'),
                                      ('mlrep/r3d18_synthetic.py', 'queue_length')])
def test_queue_multiple_of_global_batch(name, key, synthetic_data):
    cfg = _cfg(name, synthetic_data)
    cfg.train_dataloader.batch_size = 8
    cfg.model[key] = 64 if key == 'queue_len' else 32
    validate_config(cfg, world_size=2)  # 64 / 16, 32 / 16
    msg = str(pytest.raises(ConfigError, validate_config, cfg, world_size=3).value)
    assert f'model.{key}={cfg.model[key]}: not a multiple of the global batch 24 ' \
        '(train_dataloader.batch_size=8 x world_size=3)' in msg
    cfg.train_dataloader.drop_last = False
    msg = str(pytest.raises(ConfigError, validate_config, cfg, world_size=2).value)
    assert 'train_dataloader.drop_last=False: must be True' in msg


def test_missing_annotation_and_root(synthetic_data, tmp_path):
    cfg = _cfg('simclr/r3d18_synthetic.py', synthetic_data)
    cfg.train_dataloader.dataset.ann_file = str(tmp_path / 'nope.txt')
    cfg.train_dataloader.dataset.data_prefix = dict(video=str(tmp_path / 'noroot'))
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert f"train_dataloader.dataset.ann_file='{tmp_path / 'nope.txt'}': annotation " \
        'file does not exist' in msg
    assert f"data_prefix.video='{tmp_path / 'noroot'}': data root is not a directory" in msg


def test_reliability_hooks_added_once(synthetic_data):
    cfg = _cfg('mlrep/r3d18_synthetic.py', synthetic_data)  # replaces custom_hooks
    add_reliability_hooks(cfg)
    add_reliability_hooks(cfg)
    types = [h['type'] for h in cfg.custom_hooks]
    assert types.count('NonFiniteLossHook') == 1 and 'MLRepStageHook' in types
    assert 'RNGStateHook' in types and 'SkippedVideosHook' in types


@pytest.mark.slow
def test_train_tool_fails_before_building_anything(synthetic_data, tmp_path):
    work = tmp_path / 'work'
    proc = subprocess.run([
        sys.executable, 'tools/train.py', 'configs/seg_order_rate/r21d_synthetic.py',
        '--cfg-options', f'train_dataloader.dataset.ann_file={synthetic_data["train"]}',
        f'train_dataloader.dataset.data_prefix.video={synthetic_data["root"]}',
        'train_dataloader.dataset.pipeline.1.num_segments=6', f'work_dir={work}'
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env={
                              'PYTHONPATH': REPO,
                              'PATH': '/usr/bin:/bin'
                          })
    assert proc.returncode != 0
    assert 'ConfigError' in proc.stderr and 'num_segments=6: 6! = 720' in proc.stderr
    assert not work.exists()  # no Runner: no work dir, no log, no checkpoint
