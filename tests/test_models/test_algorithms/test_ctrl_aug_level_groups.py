"""Issue 20.3: intensity levels come in groups of ``samples_per_level`` on every rank.

The global batch of 16 clips (the paper's 4 clips per level) is split over 1, 2 and 4
gloo ranks; each rank runs the real ``ctrl_aug_collate`` on its slice and the real
``CtrlAug.loss_mutual_info`` (levels gathered over ranks). Every rank must have
same-level pairs and a critic that gets a gradient. A batch without any same-level pair
raises on every rank (or warns and is counted with ``missing_pairs='warn'``).
"""
import os

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmaction.structures import ActionDataSample

from tests.conftest import free_port

GLOBAL_BATCH, SPL, K, C = 16, 4, 2, 8


def _samples(n: int, seed: int) -> list:
    rng = np.random.RandomState(seed)
    batch = []
    for _ in range(n):
        s = ActionDataSample()
        s.set_metainfo(
            dict(
                global_view=torch.from_numpy(rng.randint(0, 255, (1, 3, 2, 8, 8), dtype=np.uint8))))
        batch.append(
            dict(
                inputs=torch.from_numpy(rng.randint(0, 255, (K, 3, 2, 8, 8), dtype=np.uint8)),
                data_samples=s))
    return batch


def _model(**kw):
    from vssl_mm.registry import MODELS
    return MODELS.build(
        dict(
            type='CtrlAug',
            backbone=dict(type='ResNet3dSSL', depth=10, base_channels=8),
            critic=dict(type='MINECritic', in_channels=C, hidden_channels=16),
            loss_weights=dict(mi=1.),
            **kw))


def _rank_step(rank: int, world: int, levels=None, **model_kw) -> dict:
    """One rank: collate its slice, L_mi on random features, backward."""
    from mmengine.registry import init_default_scope

    import vssl_mm  # noqa: F401
    from vssl_mm.datasets import ctrl_aug_collate
    init_default_scope('vssl_mm')
    n = GLOBAL_BATCH // world
    np.random.seed(10 + rank)  # the SeededSampler seeds numpy per sample / rank
    torch.manual_seed(0)  # same critic weights on every rank (as DDP's broadcast)
    model = _model(**model_kw)
    out = ctrl_aug_collate(_samples(n, rank), samples_per_level=SPL)
    samples = out['data_samples']
    if levels is not None:  # override the drawn levels (no-pair case)
        for s, lv in zip(samples, levels):
            s.set_metainfo(dict(lowlevel_level=int(lv)))
    torch.manual_seed(100 + rank)
    local = torch.randn(n, K, C, requires_grad=True)
    glob = torch.randn(n, C, requires_grad=True)
    losses = model.loss_mutual_info(local, glob, samples)
    (losses['loss_mi'] + losses['loss_mi_lg']).backward()
    grad = sum(p.grad.abs().sum().item() for p in model.critic.parameters())
    return dict(
        levels=[int(s.metainfo['lowlevel_level']) for s in samples],
        pairs=losses['same_level_pairs'].item(),
        mi=losses['mi_level'].item(),
        counter=losses['no_same_level_batches'].item(),
        critic_grad=grad)


def _worker(rank, world, port, queue, levels, model_kw):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        res = _rank_step(rank, world, None if levels is None else levels[rank], **model_kw)
    except Exception as e:  # reported to the test, on every rank
        res = dict(error=f'{type(e).__name__}: {e}')
    queue.put((rank, res))
    dist.destroy_process_group()


def _run(world: int, levels=None, **model_kw) -> dict:
    if world == 1:
        try:
            return {0: _rank_step(0, 1, None if levels is None else levels[0], **model_kw)}
        except Exception as e:
            return {0: dict(error=f'{type(e).__name__}: {e}')}
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    procs = [
        ctx.Process(target=_worker, args=(r, world, port, queue, levels, model_kw))
        for r in range(world)
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=180) for _ in range(world))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


@pytest.mark.slow
@pytest.mark.parametrize('world', [1, 2, 4])
def test_every_rank_has_same_level_pairs(world):
    res = _run(world)
    n = GLOBAL_BATCH // world
    all_levels = np.concatenate([res[r]['levels'] for r in range(world)])
    for r in range(world):
        assert 'error' not in res[r], res[r]
        levels, counts = np.unique(res[r]['levels'], return_counts=True)
        assert len(levels) == n // SPL and (counts == SPL).all()  # whole groups per rank
        # joint pairs: K clips x (videos of the global batch with the level - 1); at
        # least the rank's own group, more if another rank drew the same level
        expect = K * sum(int((all_levels == lv).sum()) - 1 for lv in res[r]['levels'])
        assert res[r]['pairs'] == expect >= n * K * (SPL - 1)
        assert res[r]['mi'] != 0 and res[r]['critic_grad'] > 0  # the critic trains
        assert res[r]['counter'] == 0
    # the global batch holds GLOBAL_BATCH / SPL groups at every world size
    assert sum(len(np.unique(res[r]['levels'])) for r in range(world)) == GLOBAL_BATCH // SPL


@pytest.mark.slow
def test_no_same_level_pair_raises_on_every_rank():
    """Rank 0's 8 videos all on different levels: both ranks raise, naming rank 0."""
    levels = [list(range(8)), [20] * 4 + [21] * 4]
    res = _run(2, levels=levels)
    for r in (0, 1):
        msg = res[r].get('error', '')
        assert msg.startswith('RuntimeError: L_mi: no same-level pair on rank(s) [0]'), msg
        assert '0, 1, 2, 3, 4, 5, 6, 7' in msg and 'samples_per_level' in msg


@pytest.mark.slow
def test_no_same_level_pair_warn_mode_counts():
    from mmengine.logging import MMLogger
    MMLogger.get_instance('vssl_mm_test_levels')  # a current logger for print_log
    model = _model(missing_pairs='warn')
    samples = [ActionDataSample(metainfo=dict(lowlevel_level=i)) for i in range(4)]
    for step in (1, 2):
        losses = model.loss_mutual_info(torch.randn(4, K, C), torch.randn(4, C), samples)
        assert losses['no_same_level_batches'].item() == step
        assert losses['same_level_pairs'].item() == 0 and losses['mi_level'].item() == 0
    samples[1].set_metainfo(dict(lowlevel_level=0))
    losses = model.loss_mutual_info(torch.randn(4, K, C), torch.randn(4, C), samples)
    assert losses['same_level_pairs'].item() == 2 * K
    assert losses['no_same_level_batches'].item() == 2  # cumulative
    with pytest.raises(ValueError, match="missing_pairs='often'"):
        _model(missing_pairs='often')


def test_config_check_names_grouping_values(synthetic_data):
    import os.path as osp

    from mmengine.config import Config

    from tests.conftest import REPO
    from vssl_mm.utils.config_check import ConfigError, validate_config
    cfg = Config.fromfile(osp.join(REPO, 'configs/ctrl_aug/r3d18_synthetic.py'))
    cfg.train_dataloader.dataset.ann_file = synthetic_data['train']
    cfg.train_dataloader.dataset.data_prefix = dict(video=synthetic_data['root'])
    validate_config(cfg, world_size=4)  # per-rank batch 8 = 2 groups of 4
    cfg.train_dataloader.batch_size = 6
    cfg.train_dataloader.drop_last = False
    cfg.train_dataloader.collate_fn.levels_per_batch = 32
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert ('train_dataloader.collate_fn.samples_per_level=4 with '
            'train_dataloader.batch_size=6') in msg
    assert 'cannot be split into groups of samples_per_level=4' in msg
    assert 'train_dataloader.drop_last=False: must be True with ctrl_aug_collate' in msg
    assert 'collate_fn.levels_per_batch=32: unknown argument' in msg
    cfg.train_dataloader.update(batch_size=8, drop_last=True)
    cfg.train_dataloader.collate_fn.pop('levels_per_batch')
    cfg.train_dataloader.collate_fn.samples_per_level = 1
    msg = str(pytest.raises(ConfigError, validate_config, cfg).value)
    assert 'samples_per_level=1: must be an int >= 2' in msg
