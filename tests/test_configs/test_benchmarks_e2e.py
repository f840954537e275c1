"""Synthetic finetune / linear-probe / retrieval configs through tools/train.py and
tools/test.py (subprocesses): one training epoch (2 iterations) then a 10-clip test."""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest

from tests.conftest import REPO as ROOT

pytestmark = pytest.mark.slow


def _data_opts(root, loaders=('train', 'val', 'test')):
    opts = []
    for name in loaders:
        ann = 'train.txt' if name == 'train' else 'val.txt'
        opts += [
            f'{name}_dataloader.dataset.ann_file={osp.join(root, ann)}',
            f'{name}_dataloader.dataset.data_prefix.video={root}',
            f'{name}_dataloader.num_workers=0', f'{name}_dataloader.persistent_workers=False'
        ]
    return opts


def _run(args, cwd):
    res = subprocess.run([sys.executable, *args],
                         capture_output=True,
                         text=True,
                         cwd=cwd,
                         env={
                             'PYTHONPATH': ROOT,
                             'PATH': '/usr/bin:/bin',
                             'OMP_NUM_THREADS': '2'
                         },
                         timeout=400)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout + res.stderr


def _last_metrics(work_dir):
    files = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
    assert files, f'no metrics json in {work_dir}'
    with open(files[-1]) as f:
        return json.loads(f.read().strip().splitlines()[-1])


@pytest.mark.parametrize('protocol', ['finetune', 'linear_probe'])
def test_train_one_epoch_then_ten_clip_test(protocol, synthetic_root, ssl_checkpoint, tmp_path):
    ckpt, _ = ssl_checkpoint
    backbone = str(tmp_path / 'backbone.pth')
    _run([osp.join(ROOT, 'tools/model_converters/extract_backbone.py'), ckpt, backbone], ROOT)
    cfg = osp.join(ROOT, f'configs/benchmarks/{protocol}/r3d18_synthetic.py')
    work = str(tmp_path / 'work')
    out = _run([
        osp.join(ROOT, 'tools/train.py'), cfg, '--work-dir', work, '--cfg-options',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=10',
        f'model.backbone.pretrained={backbone}', *_data_opts(synthetic_root)
    ], ROOT)
    assert 'Epoch(train) [1][2/2]' in out
    assert f'load model from: {backbone}' in out
    test_work = str(tmp_path / 'test')
    out = _run([
        osp.join(ROOT, 'tools/test.py'), cfg,
        osp.join(work, 'epoch_1.pth'), '--work-dir', test_work, '--dump',
        str(tmp_path / 'pred.pkl'), '--cfg-options', *_data_opts(synthetic_root, ('test', ))
    ], ROOT)
    assert 'Epoch(test) [2/2]' in out  # 8 val videos, batch 4
    metrics = _last_metrics(test_work)
    assert 0.0 <= metrics['acc/top1'] <= 1.0
    import pickle
    with open(tmp_path / 'pred.pkl', 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 8
    # 10 clips were tested per video: the recognizer saw 10 views (num_clips metainfo)
    assert all(p['num_clips'] == 10 for p in preds)
    score = preds[0]['pred_score']
    assert abs(float(score.sum()) - 1.0) < 1e-4  # softmax-averaged ('prob')


def test_retrieval_config_with_tools_test(synthetic_root, ssl_checkpoint, tmp_path):
    ckpt, _ = ssl_checkpoint
    cfg = osp.join(ROOT, 'configs/benchmarks/retrieval/r3d18_synthetic.py')
    opts = [
        f'test_dataloader.dataset.ann_file={osp.join(synthetic_root, "val.txt")}',
        'test_dataloader.dataset.gallery_ann_file='
        f'{osp.join(synthetic_root, "train.txt")}',
        f'test_dataloader.dataset.data_prefix.video={synthetic_root}',
        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False'
    ]
    work = str(tmp_path / 'ret')
    out = _run(
        [osp.join(ROOT, 'tools/test.py'), cfg, ckpt, '--work-dir', work, '--cfg-options', *opts],
        ROOT)
    assert 'retrieval: 8 queries, 16 gallery videos' in out
    assert 'Epoch(test) [4/6]' in out  # progress is logged
    m = _last_metrics(work)
    for k in (1, 5, 10, 20, 50):
        assert 0.0 <= m[f'retrieval/R@{k}'] <= 100.0
    assert m['retrieval/R@50'] == 100.0  # every label is among 16 gallery videos
    # a checkpoint without backbone is refused rather than evaluated at random init
    import torch
    bad = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict={'neck.w': torch.zeros(1)}), bad)
    res = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools/test.py'), cfg, bad, '--work-dir', work, '--cfg-options', *opts
    ],
                         capture_output=True,
                         text=True,
                         cwd=ROOT,
                         env={
                             'PYTHONPATH': ROOT,
                             'PATH': '/usr/bin:/bin'
                         })
    assert res.returncode != 0 and 'holds no backbone tensor' in res.stderr
