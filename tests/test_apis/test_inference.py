"""vssl_mm.apis (init_model / extract_features)."""

import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch

from tests.checkpoints import (RETRIEVAL, SIMCLR, build_model, perturb, video_paths,
                               write_checkpoints)
from tests.conftest import REPO, run_tool
from vssl_mm.apis import CheckpointMismatchError, extract_features, init_model


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    """A ClipContrast checkpoint (mmengine layout) and its exported backbone-only file."""
    return write_checkpoints(str(tmp_path_factory.mktemp('ckpt')))


def test_matches_retrieval_metric(synthetic_data, ckpts, tmp_path):
    """tools/test.py (RetrievalMetric's inputs, dumped) == extract_features."""
    dump = str(tmp_path / 'dump.pkl')
    root = synthetic_data['root']
    anns = {}
    for split in ('train', 'val'):  # 3 queries, 3 gallery videos: keeps the test short
        with open(synthetic_data[split]) as f:
            lines = [line for line in f if line.strip()][::3][:3]
        anns[split] = str(tmp_path / f'{split}.txt')
        with open(anns[split], 'w') as f:
            f.writelines(lines)
    run_tool([
        osp.join(REPO, 'tools/test.py'), RETRIEVAL, ckpts['algo'], '--dump', dump, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'test_dataloader.dataset.ann_file={anns["val"]}',
        f'test_dataloader.dataset.gallery_ann_file={anns["train"]}',
        f'test_dataloader.dataset.data_prefix.video={root}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    with open(dump, 'rb') as f:
        samples = pickle.load(f)
    assert len(samples) == 6
    ref = {s['filename']: np.asarray(s['clip_features'], dtype=np.float32) for s in samples}
    model = init_model(RETRIEVAL, ckpts['algo'])
    names = sorted(ref)
    per_clip = extract_features(model, names, per_clip=True, batch_size=7)
    assert per_clip.shape == (6, 10, 32 * 4)
    feats = extract_features(model, names[:2])
    for i, n in enumerate(names):
        np.testing.assert_allclose(per_clip[i], ref[n], rtol=1e-4, atol=1e-5)
    for i, n in enumerate(names[:2]):
        np.testing.assert_allclose(feats[i], ref[n].mean(0), rtol=1e-4, atol=1e-5)
    # different videos give different vectors (not a constant)
    assert np.abs(feats[0] - feats[1]).max() > 1e-3


def test_path_equals_decoded_array(synthetic_data, ckpts):
    import decord
    model = init_model(RETRIEVAL, ckpts['algo'])
    path = video_paths(synthetic_data)[3]
    reader = decord.VideoReader(path)
    frames = reader.get_batch(list(range(len(reader)))).asnumpy()
    a = extract_features(model, path)
    b = extract_features(model, frames)
    assert a.shape == b.shape == (128, )
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    both = extract_features(model, [path, frames[::-1].copy()])  # reversed: other clips
    np.testing.assert_allclose(both[0], a, rtol=1e-5, atol=1e-6)
    assert np.abs(both[1] - a).max() > 1e-4
    with pytest.raises(ValueError, match='uint8'):
        extract_features(model, frames.astype(np.float32))
    with pytest.raises(IOError, match='missing.mp4'):
        extract_features(model, [path, path[:-4] + '_missing.mp4'])


def test_algorithm_and_backbone_only_checkpoints(synthetic_data, ckpts):
    trained = ckpts['model'].backbone.state_dict()
    path = video_paths(synthetic_data)[:2]
    feats = []
    for config, ckpt in ((SIMCLR, ckpts['algo']), (RETRIEVAL, ckpts['bare']), (SIMCLR,
                                                                               ckpts['bare'])):
        model = init_model(config, ckpt)
        for k, v in model.backbone.state_dict().items():
            assert torch.equal(v, trained[k]), k
        feats.append(extract_features(model, path, clip_len=8, num_clips=3))
    assert feats[0].shape == (2, 128)
    np.testing.assert_allclose(feats[0], feats[2], rtol=1e-5, atol=1e-6)
    random = extract_features(init_model(SIMCLR), path, clip_len=8, num_clips=3)
    assert np.abs(random - feats[0]).max() > 1e-3


def test_refuses_checkpoints_without_the_backbone(ckpts, tmp_path):
    empty = str(tmp_path / 'head_only.pth')
    torch.save(dict(state_dict={'neck.fc.weight': torch.zeros(2, 2)}), empty)
    with pytest.raises(CheckpointMismatchError, match='no backbone tensor'):
        init_model(RETRIEVAL, empty)
    state = torch.load(ckpts['algo'], weights_only=True)['state_dict']
    state.pop('backbone.conv1.conv.weight')
    partial = str(tmp_path / 'partial.pth')
    torch.save(dict(state_dict=state), partial)
    with pytest.raises(CheckpointMismatchError, match='1 of .* missing'):
        init_model(RETRIEVAL, partial)
    # a full-width R3D-18 checkpoint into the quarter-width config: shapes differ
    wide = str(tmp_path / 'wide.pth')
    from mmengine.config import Config

    from vssl_mm.registry import MODELS
    cfg = Config.fromfile(RETRIEVAL)
    cfg.model.backbone.base_channels = 8
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), wide)
    with pytest.raises(CheckpointMismatchError, match='another shape'):
        init_model(RETRIEVAL, wide)


def test_refuses_unsafe_checkpoint(tmp_path):

    class Evil:

        def __reduce__(self):
            return (os.system, ('echo pwned > ' + str(tmp_path / 'pwned'), ))

    path = str(tmp_path / 'evil.pth')
    with open(path, 'wb') as f:
        pickle.dump(dict(state_dict={}, x=Evil()), f)
    with pytest.raises(Exception, match='Refused|weights-only|allow'):
        init_model(RETRIEVAL, path)
    assert not osp.exists(tmp_path / 'pwned')


@pytest.mark.parametrize('config', [
    'configs/ctrl_aug/r3d18_synthetic.py', 'configs/hdc/r3d18_synthetic.py',
    'configs/mlrep/r3d18_synthetic.py', 'configs/seg_order_rate/r21d_synthetic.py'
])
def test_every_method_checkpoint_loads(config, synthetic_data, tmp_path):
    model = perturb(build_model(osp.join(REPO, config)), seed=2)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    fx = init_model(osp.join(REPO, config), path)
    for k, v in fx.backbone.state_dict().items():
        assert torch.equal(v, model.backbone.state_dict()[k]), k
    f = extract_features(fx, video_paths(synthetic_data)[0], num_clips=1, clip_len=8)
    assert f.ndim == 1 and np.isfinite(f).all()
