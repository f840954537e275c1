"""Paper-fidelity decisions of the configs (issue #23 point 5), stated in the method
READMEs: ctrl_aug Table 7 in its Kinetics-400 setting with the L_nce row as a CtrlAug,
mlrep Table 3's conventional temporal modelling (CTM), seg_order_rate's view-synthesis
stage on contiguous clips, the README pointers to the learning-signal page and the
config paths named by the CHANGELOG."""
import ast
import glob
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from vssl_mm.registry import MODELS, TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHODS = ('simclr', 'seg_order_rate', 'hdc', 'mlrep', 'ctrl_aug')


def _cfg(rel):
    return Config.fromfile(osp.join(REPO, 'configs', rel))


def _build(model_cfg):
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        return MODELS.build(model_cfg)


def _bases(rel):
    path = osp.join(REPO, 'configs', rel)
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            value = ast.literal_eval(node.value)
            return [value] if isinstance(value, str) else list(value)
    return []


def _readme(method):
    with open(osp.join(REPO, 'configs', method, 'README.md'), encoding='utf-8') as f:
        return f.read()


# ---------------------------------------------------------------------- ctrl_aug Table 7
TABLE7 = {  # row -> (config, non-zero loss weights)
    'L_nce': ('r3d18_k400_obj_nce.py', dict(nce=1.0)),
    'L_rc': ('r3d18_k400_obj_rc.py', dict(rc=1.0)),
    'L_rc+L_mi': ('r3d18_k400_obj_rc_mi.py', dict(rc=1.0, mi=1.0)),
    'L_rc+L_td': ('r3d18_k400_obj_rc_td.py', dict(rc=1.0, td=1.0)),
    'L_nce+L_mi+L_td': ('r3d18_k400_obj_nce_mi_td.py', dict(nce=1.0, mi=1.0, td=1.0)),
    'all three': ('r3d18_k400.py', dict(rc=1.0, mi=1.0, td=1.0)),
}
CTRL_MODULES = dict(rc='projection', mi='critic', td='td_head', nce='nce_neck')


def _without_loss_weights(cfg):
    d = cfg.to_dict()
    d['model'].pop('loss_weights')
    return d


@pytest.mark.parametrize('row', list(TABLE7))
def test_ctrl_aug_table7_rows_differ_from_the_k400_config_only_in_loss_weights(row):
    """Every Table 7 row is the Kinetics-400 paper config (Table 1's recipe: its all-terms
    row is Table 1's 71.2 / 44.1) with other loss weights: same data, views, levels,
    backbone, heads and schedule."""
    name, weights = TABLE7[row]
    cfg, paper = _cfg(f'ctrl_aug/{name}'), _cfg('ctrl_aug/r3d18_k400.py')
    if name != 'r3d18_k400.py':
        assert _bases(f'ctrl_aug/{name}') == ['./r3d18_k400.py']
    assert _without_loss_weights(cfg) == _without_loss_weights(paper)
    assert {k: v for k, v in cfg.model.loss_weights.items() if v} == weights
    assert cfg.train_cfg.max_epochs == 100
    assert [s.milestones for s in cfg.param_scheduler] == [[70]]
    assert cfg.train_dataloader.dataset.type == paper.train_dataloader.dataset.type
    assert 'kinetics' in cfg.train_dataloader.dataset.ann_file.lower()


@pytest.mark.parametrize('row', ['L_nce', 'L_nce+L_mi+L_td', 'L_rc'])
def test_ctrl_aug_table7_rows_build_only_their_terms(row):
    """A CtrlAug whose only non-zero weights are the row's terms builds only their modules
    (the L_nce row: the clip-level projection and nothing else)."""
    name, weights = TABLE7[row]
    model = _build(_cfg(f'ctrl_aug/{name}').model)
    assert type(model).__name__ == 'CtrlAug'
    assert model.loss_weights == weights
    for term, attr in CTRL_MODULES.items():
        assert (getattr(model, attr) is not None) == (term in weights), (term, attr)


def test_ctrl_aug_readme_lists_the_table7_configs_and_setting():
    text = _readme('ctrl_aug')
    for name, _ in TABLE7.values():
        assert osp.isfile(osp.join(REPO, 'configs', 'ctrl_aug', name)), name
    assert 'r3d18_k400_obj_nce.py' in text and 'Table 7 setting' in text
    assert '71.2 / 44.1' in text and '54.5' in text and '66.2' in text
    assert not glob.glob(osp.join(REPO, 'configs', 'ctrl_aug', 'r3d18_ucf_obj_*.py'))


# ---------------------------------------------------------------------- mlrep Table 3 CTM
CTM = ('r3d18', 's3d', 'slowfast')


@pytest.mark.parametrize('backbone', CTM)
def test_mlrep_ctm_is_the_conventional_technique_only(backbone):
    """w/ CTM: reversed / shuffled *input* clips as negatives of a high-level clip
    contrast through a plain MLP; no Motion Excitation, no L_ret, no low / mid L_aug; the
    rest of the objective as the paper config (w/ NTM)."""
    cfg = _cfg(f'mlrep/{backbone}_k400_conventional_temporal_modelling.py')
    ntm = _cfg(f'mlrep/{backbone}_k400.py')
    assert _bases(f'mlrep/{backbone}_k400_conventional_temporal_modelling.py') == [
        f'./{backbone}_k400.py'
    ]
    assert cfg.model.temporal_mode == 'input'
    assert tuple(cfg.model.temporal_augs) == ('reverse', 'shuffle')
    model = _build(cfg.model)
    w = model.loss_weights
    assert w['aug_high'] > 0
    assert all(w[k] == 0 for k in ('aug_mid', 'aug_low', 'ret_high', 'ret_mid', 'ret_low'))
    ntm_w = _build(ntm.model).loss_weights
    for k in ('ins', 'proto', 'mul_high', 'mul_mid', 'mul_low'):
        assert w[k] == ntm_w[k], k
    assert set(model.temporal_heads) == {'high'}
    assert not any(type(m).__name__ == 'MotionExcitation' for m in model.temporal_heads.modules())
    # everything else of the config is the paper config's
    a, b = cfg.to_dict(), ntm.to_dict()
    for d in (a, b):
        for k in ('temporal_mode', 'temporal_augs', 'loss_weights'):
            d['model'].pop(k, None)
    assert a == b


def test_mlrep_ctm_objective_terms_and_gradient():
    """The CTM objective on a tiny R3D: loss_aug_high present, no ME / L_ret terms, and
    L_aug,high reaches the backbone stem (through the transformed input clips)."""
    cfg = _cfg('mlrep/r3d18_synthetic.py').model
    cfg.backbone.base_channels = 8
    cfg.update(
        level_channels=(16, 32, 64),
        proj_channels=16,
        queue_length=8,
        me_reduction=4,
        temporal_mode='input',
        temporal_augs=('reverse', 'shuffle'),
        loss_weights=dict(
            aug_high=1.0, aug_mid=0.0, aug_low=0.0, ret_high=0.0, ret_mid=0.0, ret_low=0.0))
    torch.manual_seed(0)
    model = _build(cfg)
    model.init_weights()
    model.train()
    x = torch.randn(4, 3, 3, 8, 32, 32, generator=torch.Generator().manual_seed(1))
    out = model.loss(x)
    losses = {k for k in out if k.startswith('loss')}
    assert losses == {
        'loss_ins', 'loss_proto', 'loss_mul_high', 'loss_mul_mid', 'loss_mul_low', 'loss_aug_high'
    }
    assert torch.isfinite(out['loss_aug_high'])
    stem = next(p for p in model.backbone.parameters() if p.dim() == 5)
    grad, = torch.autograd.grad(out['loss_aug_high'], stem)
    assert grad.abs().sum() > 0


def test_mlrep_readme_states_the_ctm_decision():
    text = _readme('mlrep')
    assert '**CTM**' in text and 'aug_high' in text and 'no L_ret' in text


# ---------------------------------------------------------------------- seg_order_rate view
VIEW_STAGES = ('view_synthesis_ucf.py', 'view_synthesis_synthetic.py')


@pytest.mark.parametrize('name', VIEW_STAGES)
def test_view_synthesis_stage_trains_on_contiguous_clips(name):
    """Sec. III-G samples "a video clip from the raw video": one clip of consecutive
    frames in time order; the rest of the pipeline is the main stage's."""
    cfg = _cfg(f'seg_order_rate/{name}')
    main = _cfg('seg_order_rate/' + _bases(f'seg_order_rate/{name}')[0][2:])
    pipe, main_pipe = cfg.train_dataloader.dataset.pipeline, main.train_dataloader.dataset.pipeline
    types = [t['type'] for t in pipe]
    assert 'SegmentOrderRateSampler' not in types
    sampler = pipe[types.index('RandomClipsSampler')]
    assert (sampler.num_views, sampler.frame_interval, sampler.clip_len) == (1, 1, 16)
    assert [t for t in pipe if t['type'] != 'RandomClipsSampler'
            ] == [t for t in main_pipe if t['type'] != 'SegmentOrderRateSampler']
    assert cfg.model.type == 'ViewSynthesis'
    transform = TRANSFORMS.build(dict(sampler))
    np.random.seed(0)
    for total in (16, 48, 300):
        inds = transform(dict(total_frames=total))['view_frame_inds']
        assert len(inds) == 1
        assert np.array_equal(np.diff(inds[0]), np.ones(15)), (total, inds)


def test_one_generator_serves_every_backbone():
    """Every UCF101 *_view config loads the one generator of view_synthesis_ucf.py (the
    README states this choice)."""
    views = sorted(glob.glob(osp.join(REPO, 'configs', 'seg_order_rate', '*_ucf_view*.py')))
    assert len(views) >= 4
    ckpts = {Config.fromfile(p).model.view_generator_ckpt for p in views}
    assert ckpts == {'work_dirs/view_synthesis_ucf/epoch_30.pth'}
    text = _readme('seg_order_rate')
    assert 'One generator for every backbone' in text and 'contiguous' in text


# ---------------------------------------------------------------------- READMEs, CHANGELOG
@pytest.mark.parametrize('method', METHODS)
def test_results_section_points_to_the_learning_signal_page(method):
    text = _readme(method)
    results = text.split('## Results', 1)[1].split('\n## ', 1)[0]
    assert '(../../docs/learning_signal.md)' in results
    assert osp.isfile(osp.join(REPO, 'docs', 'learning_signal.md'))


def test_changelog_paths_exist():
    with open(osp.join(REPO, 'CHANGELOG.md'), encoding='utf-8') as f:
        text = f.read()
    paths = re.findall(r'`((?:configs|docs|tools|vssl_mm|tests)/[^`\s]*)`', text)
    assert len(paths) > 10
    missing = [p for p in paths if not glob.glob(osp.join(REPO, p))]
    assert not missing, missing
    # the renames: every new name exists, no old name is left
    renames = re.findall(r'`(\w+)` -> `(\w+)`', text)
    assert len(renames) >= 20
    config_names = {
        osp.basename(p)[:-3]
        for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    }
    for old, new in renames:
        assert old not in config_names, old
        assert any(new in n for n in config_names), new
