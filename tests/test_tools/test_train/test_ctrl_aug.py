"""End to end on CPU: r3d18_synthetic.py through tools/train.py and tools/dist_train.sh."""
import glob

import pytest

from tests.conftest import free_port, run_tool, synthetic_cfg_options

pytestmark = pytest.mark.slow

CFG = 'configs/ctrl_aug/r3d18_synthetic.py'
TERMS = ('loss_rc', 'loss_mi', 'loss_mi_lg', 'loss_td', 'acc_rc', 'mi_level', 'mi_lg', 'mi_td',
         'same_level_pairs', 'levels_in_batch', 'no_same_level_batches')


def _log(work_dir):
    return '\n'.join(open(f).read() for f in glob.glob(f'{work_dir}/*/*.log'))


def _load(path):
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(path, map_location='cpu')['state_dict']


def test_train_logs_every_term(synthetic_data, tmp_path):
    wd = str(tmp_path / 'wd')
    # 16 videos, batch 4 -> 4 iterations; 2 levels of 2 per batch -> same-level pairs
    run_tool(['tools/train.py', CFG, '--work-dir', wd] + synthetic_cfg_options(
        synthetic_data, wd, **{'train_dataloader.collate_fn.samples_per_level': 2}))
    log = _log(wd)
    for key in TERMS:
        assert key in log, key
    assert 'Epoch(train) [1][4/4]' in log
    assert 'same_level_pairs: 0.0000' not in log
    state = _load(f'{wd}/epoch_1.pth')
    assert any(k.startswith('critic.') for k in state)
    assert any(k.startswith('td_head.gru.') for k in state)


def test_two_rank_dist_train(synthetic_data, tmp_path):
    wd = str(tmp_path / 'dist')
    # 16 videos / (2 ranks x batch 4) = 2 iterations; one level of 4 clips per rank
    opts = synthetic_cfg_options(synthetic_data, wd,
                                 **{'train_dataloader.collate_fn.samples_per_level': 4})
    run_tool(
        ['bash', 'tools/dist_train.sh', CFG, '2', '--work-dir', wd] + opts,
        env_extra=dict(PORT=str(free_port())))
    log = _log(wd)
    assert 'Epoch(train) [1][2/2]' in log
    for key in TERMS:
        assert key in log, key
    # negatives for L_rc come from both ranks: 2 x 4 videos x 4x2x2 global cells
    assert 'rc_candidates: 128.0000' in log
    assert _load(f'{wd}/epoch_1.pth')
