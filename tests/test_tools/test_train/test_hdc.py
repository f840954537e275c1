"""HDC end to end on CPU: tools/train.py and a two-rank tools/dist_train.sh."""
import glob
import json

import pytest

from tests.conftest import free_port, run_tool, synthetic_cfg_options

pytestmark = pytest.mark.slow

CFG = 'configs/hdc/r3d18_synthetic.py'
TERMS = [f'loss_{b}_{k}' for b in ('sc', 'tc') for k in (3, 4, 5)]


def _scalars(work_dir):
    files = glob.glob(f'{work_dir}/*/vis_data/scalars.json')
    assert len(files) == 1, files
    return [json.loads(line) for line in open(files[0]) if '"loss"' in line]


def test_train_logs_every_term(synthetic_data, tmp_path):
    wd = str(tmp_path / 'wd')
    run_tool(['tools/train.py', CFG] +
             synthetic_cfg_options(synthetic_data, wd, **{'train_cfg.max_epochs': 1}))
    rows = _scalars(wd)
    assert len(rows) == 4  # 16 videos / batch 4
    for row in rows:
        for term in TERMS:
            assert term in row and row[term] > 0, term
            assert f'acc_{term[5:]}' in row
        assert abs(row['loss'] - sum(row[t] for t in TERMS)) < 1e-3 * row['loss']
        assert row['num_negatives'] == 3  # batch 4, one rank
    assert glob.glob(f'{wd}/epoch_1.pth')


def test_two_rank_negatives_from_global_batch(synthetic_data, tmp_path):
    wd = str(tmp_path / 'dist')
    run_tool(
        ['bash', 'tools/dist_train.sh', CFG, '2'] +
        synthetic_cfg_options(synthetic_data, wd, **{
            'train_cfg.max_epochs': 1,
            'train_dataloader.batch_size': 4
        }),
        env_extra=dict(PORT=str(free_port())))
    rows = _scalars(wd)  # rank 0's log: 16 videos / (2 ranks x 4) = 2 iterations
    assert len(rows) == 2
    for row in rows:
        assert row['num_negatives'] == 2 * 4 - 1  # the other 7 videos of both ranks
        for term in TERMS:
            assert term in row
