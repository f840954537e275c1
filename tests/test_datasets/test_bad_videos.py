"""Item 1: broken videos are skipped with a reason, counted per epoch (workers included),
and too many failures stop training with examples."""
import os.path as osp
import re

import pytest
import torch
from mmengine.dataset import pseudo_collate

from tests.conftest import run_tool, synthetic_cfg_options
from tests.test_datasets.broken import make_broken_videos
from vssl_mm.datasets import VideoSSLDataset
from vssl_mm.datasets.samplers import SeededSampler

KINDS = ('empty', 'random_bytes', 'truncated', 'missing', 'zero_frame', 'too_short')


@pytest.fixture(scope='module')
def broken(synthetic_data, tmp_path_factory):
    first = open(synthetic_data['train']).readline().split()[0]
    return make_broken_videos(
        osp.join(synthetic_data['root'], first), str(tmp_path_factory.mktemp('broken')))


def _pipeline():
    # seg_order_rate's sampler with short_video='skip': 2 segments of >= 4 frames need
    # 8 frames, so the 3-frame video is too short after the sampler's fallback
    return [
        dict(type='VideoOpen'),
        dict(
            type='SegmentOrderRateSampler',
            clip_len=8,
            num_segments=2,
            max_rate=1,
            min_len=4,
            num_views=1),
        dict(type='MultiViewDecode'),
        dict(type='ViewsApply', transforms=[dict(type='Resize', scale=(32, 32), keep_ratio=False)]),
        dict(type='PackMultiViewInputs', meta_keys=('filename', ))
    ]


def _ann(tmp_path, synthetic_data, broken, kinds, num_good=16):
    good = open(synthetic_data['train']).read().split('\n')[:num_good]
    lines = [osp.join(synthetic_data['root'], g.split()[0]) for g in good if g.strip()]
    lines += [broken[k] for k in kinds]
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(lines) + '\n')
    return str(ann)


@pytest.mark.parametrize('kind', KINDS)
def test_each_broken_kind_is_skipped_with_reason(kind, broken, synthetic_data, tmp_path):
    ann = _ann(tmp_path, synthetic_data, broken, [kind], num_good=4)
    ds = VideoSSLDataset(ann, _pipeline(), max_fail_ratio=0.5)
    bad_idx = len(ds) - 1
    out = ds[(bad_idx, 123)]
    assert out['data_samples'].filename != broken[kind]  # another sample came instead
    skipped = out['data_samples'].metainfo['skipped_videos']
    assert skipped[0].startswith(broken[kind] + ': ')
    reason = ds.failures[broken[kind]]
    expected = {
        'missing': 'not found',
        'too_short': 'fewer than clip_len',
        'zero_frame': 'cannot open',
        'empty': 'cannot open',
        'random_bytes': 'cannot open',
        'truncated': 'cannot open'
    }[kind]
    assert expected in reason, reason
    # a good sample carries no skip record
    assert 'skipped_videos' not in ds[(0, 5)]['data_samples'].metainfo


def test_counts_from_workers_reach_the_main_process(broken, synthetic_data, tmp_path):
    ann = _ann(tmp_path, synthetic_data, broken, KINDS)
    ds = VideoSSLDataset(ann, _pipeline(), max_fail_ratio=0.5)
    sampler = SeededSampler(ds, shuffle=True, seed=3)
    loader = torch.utils.data.DataLoader(
        ds, batch_size=4, sampler=sampler, num_workers=2, collate_fn=pseudo_collate)
    names = []
    for batch in loader:
        for s in batch['data_samples']:
            names += [x.split(': ')[0] for x in s.metainfo.get('skipped_videos', [])]
    assert not ds.failures  # the main process's dataset never loaded a video
    assert set(broken[k] for k in KINDS) <= set(names)  # every kind, from the workers
    assert all(osp.basename(n) in {k + '.mp4' for k in KINDS} for n in names)


def test_too_many_failures_stop_with_examples(broken, synthetic_data, tmp_path):
    ann = _ann(tmp_path, synthetic_data, broken, KINDS, num_good=4)  # 6 of 10 broken
    ds = VideoSSLDataset(ann, _pipeline(), max_fail_ratio=0.1, max_failures=2, max_refetch=50)
    with pytest.raises(
            RuntimeError,
            match=r'failed to load, more than max\(max_failures=2, '
            r'max_fail_ratio=0.1 x 10 videos\) = 2.*Examples: .*\.mp4'):
        for i in range(len(ds)):
            ds[(i, i)]


def test_small_list_tolerates_a_few_broken_files(broken, synthetic_data, tmp_path):
    """8 good + 2 broken: the default floor (10 files) lets training go on."""
    ann = _ann(tmp_path, synthetic_data, broken, ['empty', 'random_bytes'], num_good=8)
    ds = VideoSSLDataset(ann, _pipeline(), max_refetch=50)
    assert ds.failure_limit() == 10
    for i in range(len(ds)):
        ds[(i, i)]
    assert len(ds.failures) == 2
    with pytest.raises(ValueError, match='max_failures=-1'):
        VideoSSLDataset(ann, _pipeline(), max_failures=-1)


def test_test_mode_raises_at_once(broken, synthetic_data, tmp_path):
    ann = _ann(tmp_path, synthetic_data, broken, ['random_bytes'], num_good=2)
    ds = VideoSSLDataset(ann, _pipeline(), test_mode=True)
    with pytest.raises(RuntimeError, match='random_bytes.mp4.*test mode'):
        ds[2]
    assert not ds.failures  # nothing was "skipped": the run stops on it


@pytest.mark.slow
def test_train_logs_per_epoch_skip_count(broken, synthetic_data, tmp_path):
    """tools/train.py with 2 dataloader workers over 16 good + 6 broken videos."""
    ann = _ann(tmp_path, synthetic_data, broken, KINDS)
    work = str(tmp_path / 'work')
    opts = synthetic_cfg_options(
        synthetic_data, work, **{
            'train_dataloader.dataset.ann_file': ann,
            'train_dataloader.num_workers': 2,
            'train_dataloader.dataset.max_fail_ratio': 0.5,
            'train_cfg.max_epochs': 2
        })
    proc = run_tool(['tools/train.py', 'configs/ctrl_aug/r3d18_synthetic.py'] + opts)
    log = proc.stdout + proc.stderr
    counts = re.findall(r'Epoch (\d): skipped (\d+) video loads \((\d+) distinct', log)
    assert [c[0] for c in counts] == ['1', '2']
    for _, loads, files in counts:
        # all 6 broken files are in every epoch: at least 6 failed loads per epoch
        # (ctrl_aug's sampler raises on the 3-frame video: shorter than clip_len=8)
        assert int(loads) >= 6 and int(files) == 6
    for k in KINDS:
        assert f'Skipped unreadable or too-short video "{broken[k]}"' in log
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))
