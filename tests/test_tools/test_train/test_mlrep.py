"""mlrep end to end: the stage switch in a real run (and on resume), two ranks."""
import glob
import re

import pytest
import torch

from tests.conftest import free_port, run_tool, synthetic_cfg_options

pytestmark = pytest.mark.slow

CFG = 'configs/mlrep/r3d18_synthetic.py'


def _load(path):
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(path, map_location='cpu')['state_dict']


def _epoch_values(work_dir, key):
    text = '\n'.join(open(f).read() for f in sorted(glob.glob(f'{work_dir}/*/*.log')))
    return [(int(e), float(v)) for e, v in re.findall(
        r'Epoch\(train\)\s+\[(\d+)\]\[\d+/\d+\].*?\s' + key + r': ([-\d.e]+)', text)]


def test_stage_switch_and_resume(synthetic_data, tmp_path):
    wd = str(tmp_path / 'wd')
    # epoch 1 (first stage): L_mul off, prototypes frozen
    run_tool(['tools/train.py', CFG] + synthetic_cfg_options(synthetic_data, wd))
    s1 = _load(f'{wd}/epoch_1.pth')
    assert s1['mul_on'].item() == 0
    assert s1['proto_head.queue_filled'].item() == 16  # 4 iterations x 4 samples
    # resume into epoch 2: the hook switches L_mul (mul_start_epoch=1) and the queue on
    run_tool(['tools/train.py', CFG, '--resume'] +
             synthetic_cfg_options(synthetic_data, wd, **{'train_cfg.max_epochs': 2}))
    s2 = _load(f'{wd}/epoch_2.pth')
    assert s2['mul_on'].item() == 1 and s2['queue_on'].item() == 1
    assert s2['proto_head.queue_filled'].item() == 32 and s2['proto_head.queue.ptr'].item() == 0
    # the resumed run continued the restored queue: epoch 2 wrote rows 16-31 (ptr 16 ->
    # wraps to 0) and kept rows 0-15 from epoch 1
    queue1, queue2 = s1['proto_head.queue.queue'], s2['proto_head.queue.queue']
    torch.testing.assert_close(queue2[:16], queue1[:16])
    mul = _epoch_values(wd, 'loss_mul_low')
    assert mul and all(v == 0 for e, v in mul if e == 1)
    assert any(v > 0 for e, v in mul if e == 2)
    assert all(v == 1 for e, v in _epoch_values(wd, 'mul_on') if e == 2)
    # prototypes frozen through epoch 1 (up to the per-step re-normalisation), moving in 2
    import torch.nn.functional as F
    w0 = _init_prototypes(synthetic_data, tmp_path)
    torch.testing.assert_close(
        F.normalize(s1['proto_head.prototypes.weight'], dim=1), F.normalize(w0, dim=1))
    assert not torch.allclose(
        F.normalize(s2['proto_head.prototypes.weight'], dim=1), F.normalize(w0, dim=1), atol=1e-4)


def _init_prototypes(data, tmp_path):
    """The prototypes the seeded run starts from (same config, same seed, no training)."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(CFG)
    cfg.work_dir = str(tmp_path / 'init')
    cfg.train_dataloader.dataset.ann_file = data['train']
    cfg.train_dataloader.dataset.data_prefix = dict(video=data['root'])
    runner = Runner.from_cfg(cfg)
    return runner.model.proto_head.prototypes.weight.detach().clone()


def test_two_rank_dist_train(synthetic_data, tmp_path):
    wd = str(tmp_path / 'dist')
    run_tool(
        ['bash', 'tools/dist_train.sh', CFG, '2'] + synthetic_cfg_options(synthetic_data, wd),
        env_extra=dict(PORT=str(free_port())))
    s = _load(f'{wd}/epoch_1.pth')
    # 16 videos / (2 ranks x 4) = 2 iterations, each enqueueing the 8 gathered rows
    assert s['proto_head.queue_filled'].item() == 16
    assert s['proto_head.queue.queue'][:16].abs().sum() > 0
    assert s['proto_head.queue.queue'][16:].abs().sum() == 0
