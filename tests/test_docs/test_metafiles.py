"""model-index.yml lists every method metafile; each metafile has the OpenMMLab fields."""
import glob
import os.path as osp

import pytest
import yaml

from tests.conftest import REPO

METAFILES = sorted(
    osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')))


def _load(rel):
    with open(osp.join(REPO, rel)) as f:
        return yaml.safe_load(f)


def test_model_index_lists_every_metafile():
    index = _load('model-index.yml')
    listed = index['Import']
    assert len(listed) == len(set(listed)), 'duplicate entries'
    assert sorted(listed) == METAFILES
    assert len(METAFILES) >= 4


def validate_metafile(meta: dict) -> list:
    """Errors of one metafile (an empty list when valid)."""
    errors = []
    collections = meta.get('Collections') or []
    if not collections:
        errors.append('no Collections')
    names = set()
    for c in collections:
        for key in ('Name', 'Metadata'):
            if key not in c:
                errors.append(f'collection without {key}: {c}')
        if 'README' in c and not osp.isfile(osp.join(REPO, c['README'])):
            errors.append(f'README {c["README"]} missing')
        if 'Paper' in c and 'Title' not in c['Paper']:
            errors.append(f'collection {c.get("Name")}: Paper without Title')
        names.add(c.get('Name'))
    models = meta.get('Models') or []
    if not models:
        errors.append('no Models')
    seen = set()
    for m in models:
        name = m.get('Name')
        for key in ('Name', 'In Collection', 'Config', 'Metadata'):
            if key not in m:
                errors.append(f'model {name} without {key}')
        if name in seen:
            errors.append(f'model {name} listed twice')
        seen.add(name)
        if m.get('In Collection') not in names:
            errors.append(f'model {name}: unknown collection {m.get("In Collection")}')
        if 'Config' in m and not osp.isfile(osp.join(REPO, m['Config'])):
            errors.append(f'model {name}: config {m["Config"]} missing')
        if not isinstance(m.get('Metadata', {}), dict):
            errors.append(f'model {name}: Metadata is not a mapping')
        for r in m.get('Results') or []:  # only for figures actually measured
            for key in ('Dataset', 'Task', 'Metrics'):
                if key not in r:
                    errors.append(f'model {name}: result without {key}')
            if not isinstance(r.get('Metrics', {}), dict) or not r.get('Metrics'):
                errors.append(f'model {name}: empty Metrics')
        if 'Weights' in m and not str(m['Weights']).startswith(('http', 'https')):
            errors.append(f'model {name}: Weights must be a URL')
    return errors


@pytest.mark.parametrize('rel', METAFILES)
def test_metafile_valid(rel):
    errors = validate_metafile(_load(rel))
    assert not errors, '\n'.join(errors)


def test_validator_catches_errors():
    good = _load(METAFILES[0])
    assert validate_metafile(good) == []
    bad = yaml.safe_load(yaml.safe_dump(good))
    bad['Models'][0]['Config'] = 'configs/none/missing.py'
    del bad['Models'][-1]['Metadata']
    bad['Models'][0]['Results'] = [dict(Task='Action Recognition', Metrics={'Top 1': 1})]
    errors = validate_metafile(bad)
    assert any('missing' in e for e in errors)
    assert any('without Metadata' in e for e in errors)
    assert any('without Dataset' in e for e in errors)


def test_model_names_unique_across_metafiles():
    names = [m['Name'] for rel in METAFILES for m in _load(rel)['Models']]
    assert len(names) == len(set(names))
