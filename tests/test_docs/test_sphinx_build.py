"""The docs build with warnings as errors (skipped only when sphinx/myst are absent)."""
import os.path as osp
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

pytest.importorskip('sphinx')
pytest.importorskip('myst_parser')

METHOD_PAGES = ('simclr', 'seg_order_rate', 'hdc', 'mlrep', 'ctrl_aug')


@pytest.fixture(scope='module')
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs_html')
    proc = subprocess.run([
        sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-b', 'html', '-q', '-d',
        str(out / '.doctrees'),
        osp.join(REPO, 'docs'),
        str(out)
    ],
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return out


def _read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def test_every_page_built(html):
    for page in ('index', 'get_started', 'datasets', 'backbones', 'benchmarks',
                 'distributed_training', 'tutorials/new_variant', 'tutorials/new_method',
                 'tutorials/mim', 'tutorials/visualization', 'notes/contributing',
                 'notes/changelog'):
        assert osp.isfile(html / f'{page}.html'), page
    index = _read(html / 'index.html')
    for m in METHOD_PAGES:
        assert f'methods/{m}.html' in index


def test_method_pages_include_the_readmes(html):
    """Each method page carries its README's tables (the include resolved)."""
    for m in METHOD_PAGES[1:]:
        page = _read(html / 'methods' / f'{m}.html')
        with open(osp.join(REPO, 'configs', m, 'README.md')) as f:
            title = f.readline().lstrip('# ').strip().split(':')[0]
        assert title.split()[0] in page, m
        assert '<table' in page and f'configs/{m}/metafile.yml' in page


def test_tutorial_code_is_the_tested_code(html):
    page = _read(html / 'tutorials' / 'new_method.html')
    assert 'class' in page and 'TutorialArrowOfTime' in page
    assert 'loss_aot' in page  # the literalinclude of the algorithm file
    page = _read(html / 'tutorials' / 'new_variant.html')
    assert 'simclr_r3d18_synthetic_t05' in page and 'frame_interval' in page
