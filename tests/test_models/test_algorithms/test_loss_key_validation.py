"""Issue 20.4: every algorithm rejects unknown loss-weight and loss-config keys.

An unknown key raises ``ValueError`` naming it and listing the valid keys (one helper,
``vssl_mm.models.algorithms.base.check_keys``); nothing is dropped silently.
"""
import inspect
import re

import pytest
import torch.nn as nn
from mmengine.registry import DefaultScope

import vssl_mm.models.algorithms as algorithms
from vssl_mm.registry import MODELS

BB = dict(type='ResNet3dSSL', depth=10, base_channels=4)
C = 32  # width of BB's last stage
INFONCE_KEYS = ['gather', 'loss_weight', 'similarity', 'symmetric', 'temperature', 'type']

BASE = {
    'ClipContrast':
    dict(
        type='ClipContrast',
        backbone=BB,
        neck=dict(type='MLPProjection', in_channels=C, out_channels=8),
        loss=dict(type='InfoNCELoss', temperature=0.1)),
    'HDC':
    dict(
        type='HDC',
        backbone=dict(BB, out_indices=(1, 2, 3)),
        head=dict(type='HDCProjections', in_channels=(8, 16, 32), out_channels=8),
        loss=dict(type='InfoNCELoss', temperature=0.07, gather=True, symmetric=False)),
    'SegOrderRate':
    dict(
        type='SegOrderRate',
        backbone=BB,
        order_head=dict(type='SegmentOrderHead', in_channels=C, num_segments=3, hidden_channels=8),
        rate_head=dict(type='SamplingRateHead', in_channels=C, num_segments=3, loss_weight=0.3),
        neck=dict(type='MLPProjection', in_channels=C, out_channels=9),
        contrast_loss=dict(
            type='InfoNCELoss',
            temperature=0.07,
            gather=False,
            symmetric=False,
            loss_weight=1.0,
            similarity=dict(type='ShuffleSimilarity', num_parts=3)),
        queue_len=8),
    'ViewSynthesis':
    dict(
        type='ViewSynthesis',
        generator=dict(type='VideoVAE', base_channels=4, latent_channels=4),
        flow_estimator=dict(type='FrameFlowEstimator', base_channels=4),
        feature_extractor=BB,
        loss_weights=dict(photo=1.0, kl=0.5)),
    'MLRep':
    dict(
        type='MLRep',
        backbone=dict(BB, out_indices=(1, 2, 3)),
        level_channels=(8, 16, 32),
        proj_channels=8,
        num_prototypes=4,
        queue_length=0,
        me_reduction=4,
        loss_weights=dict(ins=1.0, proto=0.5)),
    'CtrlAug':
    dict(
        type='CtrlAug',
        backbone=BB,
        critic=dict(type='MINECritic', in_channels=C, hidden_channels=8),
        td_head=dict(type='TemporalDependencyHead', kind='gru', in_channels=C, num_clips=3),
        loss_weights=dict(mi=1.0, td=1.0)),
}

# (algorithm, argument, bad entry, the key named, valid keys listed)
CASES = [
    ('ClipContrast', 'loss', dict(temprature=0.2), 'temprature', INFONCE_KEYS),
    ('HDC', 'loss', dict(loss_weight=2.0), 'loss_weight',
     ['gather', 'symmetric', 'temperature', 'type']),
    ('HDC', 'loss', dict(similarity=None), 'similarity',
     ['gather', 'symmetric', 'temperature', 'type']),
    ('SegOrderRate', 'contrast_loss', dict(queue_len=4), 'queue_len', INFONCE_KEYS),
    ('SegOrderRate', 'order_head', dict(loss_wieght=1.0), 'loss_wieght',
     ['dropout', 'hidden_channels', 'in_channels', 'loss_weight', 'num_segments', 'type']),
    ('SegOrderRate', 'rate_head', dict(weight=0.3), 'weight', None),
    ('ViewSynthesis', 'loss_weights', dict(photometric=1.0), 'photometric',
     ['infomax', 'infomin', 'kl', 'photo']),
    ('MLRep', 'loss_weights', dict(ins_high=1.0), 'ins_high', None),
    ('CtrlAug', 'loss_weights', dict(TD=1.0), 'TD', ['mi', 'nce', 'rc', 'td']),
]


@pytest.fixture(autouse=True)
def _vssl_scope():
    """Build in vssl_mm's scope whatever an earlier test left as the default scope."""
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        yield


def _cfg(name: str, arg: str = None, extra: dict = None) -> dict:
    cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE[name].items()}
    if arg is not None:
        cfg[arg] = dict(cfg.get(arg) or {}, **extra)
    return cfg


@pytest.mark.parametrize('name', sorted(BASE))
def test_valid_keys_build(name):
    model = MODELS.build(_cfg(name))
    assert type(model) is MODELS.get(name) and type(model).__name__ == name
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) > 0


@pytest.mark.parametrize(
    'name, arg, extra, key, valid', CASES, ids=[f'{c[0]}-{c[1]}-{c[3]}' for c in CASES])
def test_unknown_key_raises_naming_it(name, arg, extra, key, valid):
    with pytest.raises(Exception) as e:
        MODELS.build(_cfg(name, arg, extra))
    msg = str(e.value)  # the registry re-raises as the same type with the class prefixed
    assert isinstance(e.value, ValueError), msg
    assert f"{name}.{arg}: unknown key(s) ['{key}']; valid keys are" in msg, msg
    listed = re.search(r'valid keys are (\[[^\]]*\])', msg).group(1)
    if valid is not None:
        assert listed == str(valid), msg
    assert f"'{key}'" not in listed


def test_ctrl_aug_td_typo_no_longer_drops_the_term():
    """The issue's example: ``loss_weights=dict(TD=1)`` used to build without L_td."""
    with pytest.raises(ValueError, match=r"\['TD'\].*\['mi', 'nce', 'rc', 'td'\]"):
        MODELS.build(dict(_cfg('CtrlAug'), loss_weights=dict(mi=1.0, TD=1.0)))


def test_every_algorithm_is_covered():
    """Each registered algorithm class exported by vssl_mm.models.algorithms has cases."""
    names = {
        n
        for n in algorithms.__all__
        if inspect.isclass(getattr(algorithms, n)) and hasattr(getattr(algorithms, n), 'loss')
        and issubclass(getattr(algorithms, n), nn.Module) and n != 'BaseVideoSSL'
    }
    assert names == set(BASE), names ^ set(BASE)
    assert {c[0] for c in CASES} == set(BASE)
