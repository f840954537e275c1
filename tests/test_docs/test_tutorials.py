"""The tutorials' configs and code: built, checked against the text, trained a few
iterations through tools/train.py; the loss-curve tool plots that real run.

The new-method tutorial's algorithm (docs/tutorials/arrow_of_time.py) is not part of the
package: its config's ``custom_imports`` registers it, with the repository root on the
path (pytest puts it there; tools/train.py runs get it through ``PYTHONPATH``)."""
import glob
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO, run_tool, synthetic_cfg_options

VARIANT = 'configs/tutorials/simclr_r3d18_synthetic_t05.py'
NEW_METHOD = 'configs/tutorials/arrow_of_time_r3d18_synthetic.py'


def test_variant_config_inherits_and_overrides():
    base = Config.fromfile(osp.join(REPO, 'configs/simclr/r3d18_synthetic.py'))
    cfg = Config.fromfile(osp.join(REPO, VARIANT))
    assert cfg.model.loss.temperature == 0.5 and base.model.loss.temperature == 0.1
    assert cfg.model.loss.symmetric is True  # merged, not replaced
    assert cfg.model.neck == base.model.neck
    pipe = cfg.train_dataloader.dataset.pipeline
    assert pipe[1]['frame_interval'] == 3
    assert [t['type'] for t in pipe[3]['transforms']] == [
        t['type'] for t in base.train_pipeline[3]['transforms'] if t['type'] != 'ClipGrayscale'
    ]
    assert cfg.train_cfg.max_epochs == 4 and cfg.train_cfg.type == 'EpochBasedTrainLoop'
    assert cfg.optim_wrapper == base.optim_wrapper


def _model():
    import vssl_mm  # noqa: F401
    from vssl_mm.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, NEW_METHOD))
    assert cfg.model.backbone.base_channels == 16  # inherited from the baseline
    return cfg, MODELS.build(cfg.model)


def test_tutorial_algorithm_is_not_shipped():
    """The config's ``custom_imports`` registers the class; the package alone does not."""
    import vssl_mm.models.algorithms as algorithms
    assert not hasattr(algorithms, 'TutorialArrowOfTime')
    cfg, model = _model()
    assert 'docs.tutorials.arrow_of_time' in cfg.custom_imports.imports
    assert type(model).__module__ == 'docs.tutorials.arrow_of_time'


@pytest.mark.parametrize('arg, extra, key, valid', [
    ('loss_weights', dict(AOT=1.0), 'AOT', ['aot', 'nce']),
    ('loss', dict(tau=0.1), 'tau',
     ['gather', 'loss_weight', 'similarity', 'symmetric', 'temperature', 'type']),
])
def test_arrow_of_time_rejects_unknown_keys(arg, extra, key, valid):
    """The contract's key validation (``check_loss_weights`` / ``check_loss_cfg``)."""
    from mmengine.registry import DefaultScope

    from vssl_mm.registry import MODELS
    cfg, _ = _model()
    model_cfg = cfg.model.to_dict()
    model_cfg[arg] = dict(model_cfg[arg], **extra)
    with DefaultScope.overwrite_default_scope('vssl_mm'), pytest.raises(ValueError) as e:
        MODELS.build(model_cfg)
    assert (f"TutorialArrowOfTime.{arg}: unknown key(s) ['{key}']; valid keys are {valid}"
            in str(e.value)), str(e.value)


def test_arrow_of_time_reverses_the_drawn_half():
    """Brute force: the clip classified by the head is x_2 flipped in time exactly where
    r = 1, and r is the cross-entropy target."""
    cfg, model = _model()
    torch.manual_seed(0)
    x = torch.randn(4, 2, 3, 8, 16, 16)
    seen = {}

    def fake_extract(inp):
        seen['inp'] = inp.clone()
        return (torch.randn(inp.shape[0], 128, 1, 1, 1, requires_grad=True), )

    model.extract_feat = fake_extract
    torch.manual_seed(5)
    r = torch.randint(0, 2, (4, ))
    torch.manual_seed(5)
    losses = model.loss(x)
    clips = seen['inp']
    assert clips.shape[0] == 3 * 4  # x_2^r, x_1, x_2 in one backbone pass
    for i in range(4):
        expected = x[i, 1].flip(1) if r[i] else x[i, 1]
        assert torch.equal(clips[i], expected)
        assert torch.equal(clips[4 + i], x[i, 0]) and torch.equal(clips[8 + i], x[i, 1])
    assert 0 < r.sum() < 4  # both classes present for this seed
    assert set(losses) == {'loss_aot', 'acc_aot', 'loss_nce', 'acc_nce'}
    # loss weights come from the config (Eq. 3); a zero weight drops the term
    model.loss_weights['nce'] = 0.0
    assert set(model.loss(x)) == {'loss_aot', 'acc_aot'}
    assert seen['inp'].shape[0] == 4


def test_arrow_of_time_weighted_terms():
    cfg, model = _model()
    x = torch.randint(0, 255, (2, 2, 3, 8, 32, 32), dtype=torch.uint8)
    data = model.data_preprocessor(dict(inputs=list(x), data_samples=None), True)
    torch.manual_seed(1)
    half = model.loss(data['inputs'])
    model.loss_weights['nce'] = 1.0
    torch.manual_seed(1)
    full = model.loss(data['inputs'])
    assert cfg.model.loss_weights.nce == 0.5
    assert torch.allclose(half['loss_nce'] * 2, full['loss_nce'], atol=1e-6)
    assert torch.allclose(half['loss_aot'], full['loss_aot'])


def _scalars(work_dir):
    rows = []
    for f in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if 'loss' in r]


@pytest.fixture(scope='module')
def new_method_run(synthetic_data, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('tutorial_new_method'))
    run_tool(['tools/train.py', NEW_METHOD] + synthetic_cfg_options(synthetic_data, work))
    return work


@pytest.mark.slow
def test_new_method_trains(new_method_run):
    rows = _scalars(new_method_run)
    assert len(rows) == 4  # 16 videos / batch 4, one epoch
    for r in rows:
        assert np.isfinite([r['loss_aot'], r['loss_nce']]).all()
        # mmengine's loss is the sum of the weighted terms
        assert r['loss'] == pytest.approx(r['loss_aot'] + r['loss_nce'], rel=1e-4)
    assert osp.isfile(osp.join(new_method_run, 'epoch_1.pth'))


@pytest.mark.slow
def test_variant_trains(synthetic_data, tmp_path):
    work = str(tmp_path / 'work')
    run_tool(['tools/train.py', VARIANT] +
             synthetic_cfg_options(synthetic_data, work, **{'train_cfg.max_epochs': 1}))
    rows = _scalars(work)
    assert len(rows) == 4 and all(np.isfinite(r['loss_nce']) for r in rows)


@pytest.mark.slow
def test_plot_curves_real_run(new_method_run, tmp_path):
    import matplotlib.image as mpimg
    out = str(tmp_path / 'curves.png')
    proc = run_tool([
        'tools/analysis/plot_curves.py', new_method_run, '--keys', 'loss_*', 'acc_aot', '--smooth',
        '2', '--out', out
    ])
    assert 'loss_aot (4 points)' in proc.stdout and 'loss_nce (4 points)' in proc.stdout
    assert 'acc_aot (4 points)' in proc.stdout and 'loss (4' not in proc.stdout
    img = mpimg.imread(out)
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 300
    assert img[..., :3].std() > 0.01  # something is drawn
