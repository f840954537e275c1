"""tools/analysis/learning_benchmark.py: protocol, shared settings, summary, a tiny run."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
import yaml
from mmengine.config import Config

from tests.conftest import REPO, run_tool
from vssl_mm.datasets.transforms.hdc import hdc_spatial_transforms

TOOL = osp.join(REPO, 'tools', 'analysis', 'learning_benchmark.py')
TINY = [
    '--methods', 'clip_contrast', 'supervised', '--seeds', '0', '--init-seeds', '0', '1', '--iters',
    '8', '--batch-size', '4', '--eval-every', '4', '--train-per-class', '2', '--val-per-class', '1',
    '--frames', '32', '--video-size', '64', '--num-clips', '2', '--num-workers', '0'
]


def _tool():
    spec = importlib.util.spec_from_file_location('learning_benchmark', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_protocol_defaults_are_the_powered_protocol():
    tool = _tool()
    p = tool.load_protocol(tool.parse_args([]))
    n_train = p['data']['train_per_class'] * len(tool.CLASSES)
    assert n_train >= 1600 and p['data']['val_per_class'] * len(tool.CLASSES) >= 160
    assert len(p['train']['seeds']) >= 3 and len(p['eval']['init_seeds']) >= 3
    assert {
        'clip_contrast', 'seg_order_rate', 'seg_order_rate_view', 'hdc', 'mlrep', 'ctrl_aug',
        'supervised'
    } <= set(p['methods'])
    assert p['reference'] in p['methods']
    for m, spec in p['methods'].items():
        assert osp.isfile(osp.join(REPO, spec['config'])), m
    # the paper's full seg_order_rate objective: order 1, rate 0.3, contrast 1
    sor = Config.fromfile(osp.join(REPO, p['methods']['seg_order_rate']['config'])).model
    assert (sor.order_head.loss_weight, sor.rate_head.loss_weight,
            sor.contrast_loss.loss_weight) == (1.0, 0.3, 1.0)


def test_budget_must_be_whole_epochs_and_eval_points():
    tool = _tool()
    with pytest.raises(SystemExit, match='multiple of the iterations per epoch'):
        tool.load_protocol(tool.parse_args(['--iters', '1250']))
    with pytest.raises(SystemExit, match='must divide'):
        tool.load_protocol(tool.parse_args(['--eval-every', '500']))
    with pytest.raises(SystemExit, match='unknown methods'):
        tool.load_protocol(tool.parse_args(['--methods', 'nope']))


def test_every_method_gets_the_same_shared_settings(tmp_path):
    """Same data, batch, epochs, optimiser, schedule and checkpoint interval for every
    method (the supervised reference's SGD replaced too); the method's model is kept."""
    tool = _tool()
    p = tool.load_protocol(tool.parse_args([]))
    root = str(tmp_path)
    seen = set()
    for m, spec in p['methods'].items():
        own = Config.fromfile(osp.join(REPO, spec['config']))
        cfg = tool.run_config(p, spec['config'], root, 1, 1200, 300)
        dl = cfg.train_dataloader
        assert (dl.batch_size, dl.drop_last) == (8, True), m
        assert dl.dataset.ann_file == osp.join(root, 'train.txt')
        assert dl.dataset.data_prefix.video == root
        assert cfg.train_cfg.max_epochs == 6 and cfg.train_cfg.type == 'EpochBasedTrainLoop'
        adam = dict(type='Adam', lr=0.001, weight_decay=1e-05)
        assert cfg.optim_wrapper.optimizer.to_dict() == adam, m
        assert [s.T_max for s in cfg.param_scheduler] == [6]
        ck = cfg.default_hooks.checkpoint
        assert (ck.interval, ck.by_epoch, ck.max_keep_ckpts) == (300, False, -1)
        assert cfg.model.to_dict() == own.model.to_dict(), m
        seen.add(cfg.model.type)
    assert {'ClipContrast', 'SegOrderRate', 'HDC', 'MLRep', 'CtrlAug', 'Recognizer3D'} <= seen


def test_summary_spread_and_differences():
    tool = _tool()
    p = dict(
        train=dict(iters=8, batch_size=4, eval_every=4),
        data=dict(style='motion', train_per_class=2, val_per_class=1),
        eval=dict(num_clips=2, clip_len=8, frame_interval=2, size=64, recalibrate_bn=True),
        methods=dict(a=dict(config='a.py'), b=dict(config='b.py')),
        reference='a')

    def run(seed, r1_final):
        ev = {
            4: dict(r1=10.0, r5=20.0, probe_top1=30.0),
            8: dict(r1=r1_final, r5=50.0, probe_top1=60.0 + seed)
        }
        return dict(seed=seed, eval=ev, wall_s=2.0, sec_per_iter=0.1)

    runs = dict(a=[run(0, 40.0), run(1, 60.0)], b=[run(0, 20.0), run(1, 20.0)])
    rand = dict(
        k1=[
            dict(r1=10.0, r5=30.0, probe_top1=20.0, seed=0),
            dict(r1=20.0, r5=30.0, probe_top1=30.0, seed=1)
        ],
        k2=[dict(r1=0.0, r5=0.0, probe_top1=10.0, seed=0)])
    s = tool.summarise(p, runs, rand, dict(a='k1', b='k2'), dict(k1='R3D', k2='R21D'))
    a = s['methods']['a']
    assert a['final']['r1']['mean'] == 50.0
    assert (a['final']['r1']['min'], a['final']['r1']['max']) == (40.0, 60.0)
    assert a['delta_random']['r1'] == 50.0 - 15.0
    assert a['delta_reference']['r1'] == 0.0
    assert s['methods']['b']['delta_random']['r1'] == 20.0
    assert s['methods']['b']['delta_reference']['probe_top1'] == 0.0
    assert [q['iter'] for q in a['curve']['r1']] == [4, 8]
    table = tool.markdown_table(p, s)
    assert '| a | R3D | 2 | 50.0 [40.0, 60.0] |' in table
    assert '| random init | R3D | 2 | 15.0 [10.0, 20.0] |' in table
    assert '+35.0' in table and '-30.0' in table  # b's R@1 minus a's
    assert all(line.count('|') == 12 for line in table.splitlines() if line.startswith('|'))
    # without a reference method (the README main job): no reference columns
    p['reference'] = None
    s = tool.summarise(p, runs, rand, dict(a='k1', b='k2'), dict(k1='R3D', k2='R21D'))
    assert 'delta_reference' not in s['methods']['a']
    table = tool.markdown_table(p, s)
    assert 'ref' not in table and 'nan' not in table and 'None' not in table
    assert all(line.count('|') == 10 for line in table.splitlines() if line.startswith('|'))
    assert '| a | R3D | 2 | 50.0 [40.0, 60.0] | 50.0 [50.0, 50.0] | 60.5 [60.0, 61.0] | +35.0 |' \
        in table


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    work = tmp_path_factory.mktemp('learning_benchmark')
    out = work / 'out'
    first = run_tool([TOOL] + TINY + ['--work-dir', str(work), '--out-dir', str(out)])
    return dict(work=work, out=out, first=first, results=json.load(open(out / 'results.json')))


@pytest.mark.slow
def test_tiny_run_outputs(tiny_run):
    res, out = tiny_run['results'], tiny_run['out']
    assert set(res['methods']) == {'clip_contrast', 'supervised'}
    assert res['reference'] == 'clip_contrast'
    assert res['protocol']['data']['train_per_class'] == 2
    # clip contrast and the supervised reference share one backbone: one random-init set
    assert len(res['random_init']) == 1
    (bb, rand), = res['random_init'].items()
    assert rand['seeds'] == [0, 1]
    for m, r in res['methods'].items():
        assert r['backbone'] == bb and r['seeds'] == [0]
        assert [q['iter'] for q in r['curve']['r1']] == [4, 8]
        for k in ('r1', 'r5', 'probe_top1'):
            f = r['final'][k]
            assert 0.0 <= f['min'] <= f['mean'] <= f['max'] <= 100.0
            assert r['delta_random'][k] == pytest.approx(f['mean'] - rand['final'][k]['mean'])
        assert r['wall_s'][0] > 0
    assert res['methods']['clip_contrast']['delta_reference']['r1'] == 0.0
    assert len(res['runs']) == 2
    for run in res['runs']:
        assert sorted(int(k) for k in run['checkpoints']) == [4, 8]
        assert all(osp.isfile(c) for c in run['checkpoints'].values())
        assert run['eval']['8']['num_train'] == 16 and run['eval']['8']['num_val'] == 8
    # the table has a row per method and per backbone's random init, cells from the json
    table = (out / 'results.md').read_text()
    cc = res['methods']['clip_contrast']['final']['r1']
    assert f'| clip_contrast | {rand["name"]} | 1 | {cc["mean"]:.1f} [{cc["min"]:.1f}, ' \
           f'{cc["max"]:.1f}] |' in table
    assert '| supervised |' in table and '| random init |' in table
    png = (out / 'r1_curve.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 10000
    import matplotlib.image
    assert matplotlib.image.imread(str(out / 'r1_curve.png')).shape[:2] == (450, 1200)


@pytest.mark.slow
def test_tiny_run_resumes_without_retraining(tiny_run):
    first = tiny_run['results']
    mtimes = {c: osp.getmtime(c) for r in first['runs'] for c in r['checkpoints'].values()}
    again = run_tool(
        [TOOL] + TINY +
        ['--work-dir', str(tiny_run['work']), '--out-dir',
         str(tiny_run['out'])])
    assert again.stdout.count('skip training') == 2, again.stdout
    assert 'training 8 iterations' not in again.stdout
    logged = [line for line in again.stdout.splitlines() if line.startswith('[learning_benchmark]')]
    # evaluations read back, not recomputed
    assert not [line for line in logged if 'R@1' in line], logged
    assert 'training 8 iterations' in tiny_run['first'].stdout
    assert {c: osp.getmtime(c) for c in mtimes} == mtimes
    second = json.load(open(tiny_run['out'] / 'results.json'))
    assert second['methods'] == first['methods']
    assert second['random_init'] == first['random_init']


@pytest.mark.slow
def test_finished_run_record_indexes_checkpoints_by_iteration(tiny_run):
    """A finished run read back from its JSON record gives its checkpoints by integer
    iteration, as a fresh run does: a stage's last checkpoint (seg_order_rate_view's
    generator) is looked up as ``checkpoints[iters]`` when the benchmark is run again."""
    tool, res = _tool(), tiny_run['results']
    p = tool.load_protocol(tool.parse_args(TINY))
    spec = p['methods']['clip_contrast']
    rec = tool.train_run(p, 'clip_contrast', spec['config'], res['data_root'], 0, 8, 4,
                         str(tiny_run['work']), {})
    assert rec['skipped']
    assert sorted(rec['checkpoints']) == [4, 8]
    assert rec['checkpoints'][8].endswith('iter_8.pth') and osp.isfile(rec['checkpoints'][8])


@pytest.mark.slow
def test_evaluator_is_deterministic_on_a_checkpoint(tiny_run):
    """The same checkpoint evaluated twice (fresh evaluator each time) gives identical
    figures, equal to those the benchmark recorded."""
    from vssl_mm.evaluation.synthetic_eval import SyntheticEvaluator
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    res = tiny_run['results']
    run = next(r for r in res['runs'] if r['method'] == 'clip_contrast')
    settings = {k: v for k, v in res['evaluator'].items() if k != 'key'}
    cfg = Config.fromfile(osp.join(REPO, run['config']))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the tool ran (run_tool sets OMP_NUM_THREADS=1)
    try:
        a = SyntheticEvaluator(res['data_root'], **settings).evaluate(cfg, run['checkpoints']['8'])
        b = SyntheticEvaluator(res['data_root'], **settings).evaluate(cfg, run['checkpoints']['8'])
    finally:
        torch.set_num_threads(threads)
    assert a == b
    recorded = run['eval']['8']
    for k in ('r1', 'r5', 'probe_top1'):
        assert a[k] == recorded[k], k
    assert a['val_feature_checksum'] == pytest.approx(recorded['val_feature_checksum'], rel=1e-6)
    # a different checkpoint gives different features (the check can fail)
    c = SyntheticEvaluator(res['data_root'], **settings).evaluate(cfg, run['checkpoints']['4'])
    assert c['val_feature_checksum'] != a['val_feature_checksum']


@pytest.mark.slow
def test_random_init_baseline_is_kept_per_data_style(tiny_run):
    """A second style in the same work dir gets its own random-init evaluation; the first
    style's cached baseline is neither reused for it nor overwritten."""
    from vssl_mm.evaluation.synthetic_eval import SyntheticEvaluator
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    tool, res, work = _tool(), tiny_run['results'], str(tiny_run['work'])
    settings = {k: v for k, v in res['evaluator'].items() if k != 'key'}
    cfg = Config.fromfile(osp.join(REPO, res['protocol']['methods']['clip_contrast']['config']))
    bb = tool.backbone_key(cfg)
    motion = SyntheticEvaluator(res['data_root'], **settings)
    cached = tool.evaluate_random(motion, cfg, bb, 0, work)
    assert cached['skipped'] and cached['r1'] == res['random_init_runs'][bb][0]['r1']
    p = tool.load_protocol(tool.parse_args(TINY + ['--style', 'camera']))
    camera_root = tool.prepare_data(p, work)
    assert camera_root != res['data_root']
    camera = SyntheticEvaluator(camera_root, **settings)
    assert camera.settings == motion.settings and camera.key() != motion.key()
    fresh = tool.evaluate_random(camera, cfg, bb, 0, work)
    assert not fresh['skipped']
    assert fresh['val_feature_checksum'] != cached['val_feature_checksum']
    again = tool.evaluate_random(motion, cfg, bb, 0, work)
    assert again['skipped'] and again['val_feature_checksum'] == cached['val_feature_checksum']


QUICKSTART = osp.join(REPO, 'configs', 'benchmarks', 'learning_signal', 'quickstart.yml')


def test_readme_main_job_runs_the_quickstart_protocol():
    """The README main job is this tool on quickstart.yml: a method that learns (mlrep,
    camera style), one training seed, three random inits, no reference column."""
    with open(osp.join(REPO, 'README.md')) as f:
        readme = f.read()
    main_job = readme.split('## Main job', 1)[1].split('```bash', 1)[1].split('```', 1)[0]
    assert 'tools/analysis/learning_benchmark.py --protocol ' \
           'configs/benchmarks/learning_signal/quickstart.yml' in main_job
    tool = _tool()
    p = tool.load_protocol(tool.parse_args(['--protocol', QUICKSTART]))
    assert list(p['methods']) == ['mlrep'] and p['reference'] is None
    assert p['data']['style'] == 'camera' and len(p['eval']['init_seeds']) >= 3
    assert p['train']['iters'] == 30 * p['train']['iters_per_epoch']
    assert Config.fromfile(osp.join(REPO, p['methods']['mlrep']['config'])).model.type == 'MLRep'


@pytest.mark.slow
def test_quickstart_protocol_end_to_end_shrunk(tmp_path):
    """The main job's path (camera data, mlrep with its epoch-keyed stages, evaluation,
    table, plot) at 8 train videos and 4 iterations."""
    out = tmp_path / 'out'
    proc = run_tool([
        TOOL, '--protocol', QUICKSTART, '--train-per-class', '1', '--val-per-class', '1', '--iters',
        '4', '--eval-every', '2', '--init-seeds', '0', '--frames', '32', '--video-size', '64',
        '--num-clips', '1', '--num-workers', '0', '--work-dir',
        str(tmp_path), '--out-dir',
        str(out)
    ])
    res = json.load(open(out / 'results.json'))
    assert res['protocol']['data']['style'] == 'camera'
    assert [q['iter'] for q in res['methods']['mlrep']['curve']['r1']] == [2, 4]
    table = (out / 'results.md').read_text()
    assert '| mlrep |' in table and '| random init |' in table and 'ref' not in table
    assert (out / 'r1_curve.png').read_bytes()[:4] == b'\x89PNG'
    assert '| mlrep |' in proc.stdout  # the table is printed


def test_term_ablations_run_only_when_named():
    """Ablations are the parent method's synthetic config with loss terms at weight 0 (or,
    for a control, one backbone setting changed) and nothing else; the default run has
    none of them, --methods can name them."""
    tool = _tool()
    default = tool.load_protocol(tool.parse_args([]))
    with open(tool.PROTOCOL) as f:
        ablations = yaml.safe_load(f)['ablations']
    assert not set(ablations) & set(default['methods'])
    p = tool.load_protocol(tool.parse_args(['--methods', 'ctrl_aug', *ablations]))
    assert list(p['methods']) == ['ctrl_aug', *ablations]
    hdc = Config.fromfile(osp.join(REPO, default['methods']['hdc']['config']))
    instance_norm = hdc.model.backbone.norm_cfg.to_dict()
    assert instance_norm['type'] == 'IN3d'
    changed_model = {
        'ctrl_aug_nce_only': ('ctrl_aug', {
            'loss_weights': dict(rc=0.0, mi=0.0, td=0.0, nce=1.0)
        }),
        'ctrl_aug_rc_mi': ('ctrl_aug', {
            'loss_weights': dict(rc=1.0, mi=1.0, td=0.0)
        }),
        'hdc_spatial_only': ('hdc', {
            'tc_weights': (0, 0, 0)
        }),
        'hdc_temporal_only': ('hdc', {
            'sc_weights': (0, 0, 0)
        }),
        'hdc_temporal_block5': ('hdc', {
            'sc_weights': (0, 0, 0),
            'tc_weights': (0, 0, 1)
        }),
        'seg_order_rate_contrast_only': ('seg_order_rate', {
            'order_head': None,
            'rate_head': None
        }),
        'seg_order_rate_order_rate': ('seg_order_rate', {
            'neck': None,
            'contrast_loss': None
        }),
        'clip_contrast_instance_norm': ('clip_contrast', {}),
        'clip_contrast_hdc_data': ('clip_contrast', {}),
    }
    assert set(changed_model) == set(ablations)
    for name, (parent, changed) in changed_model.items():
        full = Config.fromfile(osp.join(REPO, default['methods'][parent]['config']))
        abl = Config.fromfile(osp.join(REPO, ablations[name]['config']))
        a, f = abl.model.to_dict(), full.model.to_dict()
        if name == 'clip_contrast_hdc_data':  # the control: HDC's data, clip contrast's views
            a_pipe = abl.train_dataloader.dataset.pipeline
            f_pipe = full.train_dataloader.dataset.pipeline
            h_pipe = hdc.train_dataloader.dataset.pipeline
            assert [t.type for t in a_pipe] == [t.type for t in f_pipe]
            assert a_pipe[1].type == 'RandomClipsSampler' and a_pipe[1].num_views == 2
            assert a_pipe[1].frame_interval == h_pipe[1].frame_interval == 1
            assert f_pipe[1].frame_interval == 2
            spatial = {k: v for k, v in h_pipe[3].items() if k not in ('type', 'tc_spatial')}
            assert a_pipe[3].transforms == hdc_spatial_transforms(**spatial)
            assert a.pop('data_preprocessor') == hdc.model.data_preprocessor.to_dict()
            f.pop('data_preprocessor')
            assert a['backbone'].pop('norm_cfg') == instance_norm
            assert f['backbone'].pop('norm_cfg') != instance_norm
            assert a == f, name
            continue
        assert abl.train_dataloader.to_dict() == full.train_dataloader.to_dict(), name
        if name == 'clip_contrast_instance_norm':  # the control: HDC's normalisation
            assert tool.backbone_key(abl) != tool.backbone_key(full)
            assert a['backbone'].pop('norm_cfg') == instance_norm
            assert f['backbone'].pop('norm_cfg') != instance_norm
        else:  # a term ablation: the same backbone, so the same random-init baseline
            assert tool.backbone_key(abl) == tool.backbone_key(full), name
        for key, value in changed.items():
            assert a.pop(key) == value and f.pop(key) != value, (name, key)
        a.pop('nce_neck', None), f.pop('nce_neck', None)  # built only when nce > 0
        assert a == f, name
