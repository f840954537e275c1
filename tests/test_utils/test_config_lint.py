"""Child-config mistakes that mmengine merges silently are reported before training."""
import subprocess
import sys

import pytest

from tests.conftest import REPO
from vssl_mm.utils.config_lint import lint_child_config

PARENT = '''clip_len = 16
sampler = dict(type='RandomClipsSampler', clip_len=clip_len)
train_dataloader = dict(batch_size=4, dataset=dict(
    pipeline=[dict(type='VideoOpen'), sampler]))
model = dict(type='X', clip_len=clip_len, width=8)
'''


@pytest.fixture
def configs(tmp_path):
    (tmp_path / 'parent.py').write_text(PARENT)

    def child(body: str) -> str:
        path = tmp_path / 'child.py'
        path.write_text("_base_ = ['./parent.py']\n" + body)
        return str(path)

    return child


def test_typo_of_a_parent_key_names_the_close_match(configs):
    problems = lint_child_config(configs('train_dataloder = dict(batch_size=2)\n'))
    assert len(problems) == 1
    assert '"train_dataloder"' in problems[0] and 'did you mean "train_dataloader"' in \
        problems[0]


def test_reassigned_variable_lists_every_stale_key(configs):
    problems = lint_child_config(configs('clip_len = 4\n'))
    assert len(problems) == 1
    assert 'clip_len = 4 does not reach train_dataloader.dataset.pipeline.1.clip_len, ' \
        'model.clip_len' in problems[0]
    # the stale top-level helper `sampler` is not reported: the Runner never reads it


def test_correct_children_pass(configs):
    assert lint_child_config(configs('model = dict(width=16)\nmy_variable = 3\n')) == []
    fixed = ('clip_len = 4\nmodel = dict(clip_len=clip_len)\n'
             'train_dataloader = dict(dataset=dict(pipeline=[dict(type="VideoOpen"), '
             'dict(type="RandomClipsSampler", clip_len=clip_len)]))\n')
    assert lint_child_config(configs(fixed)) == []


def test_every_shipped_config_is_clean():
    import glob
    import os.path as osp
    files = [
        f for f in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
        if '_base_' not in f.split(osp.sep)
    ]
    assert len(files) > 100
    problems = [p for f in files for p in lint_child_config(f)]
    assert problems == []


@pytest.mark.slow
def test_train_strict_config_stops_before_anything_runs(configs, tmp_path):
    path = configs('train_dataloder = dict(batch_size=2)\n')
    proc = subprocess.run([
        sys.executable, 'tools/train.py', path, '--strict-config', '--work-dir',
        str(tmp_path / 'w')
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert 'did you mean "train_dataloader"' in proc.stderr
    assert not (tmp_path / 'w').exists()
