"""Sphinx configuration of the vssl_mm docs (MyST markdown, like mmaction2's docs).

Build: ``pip install -r requirements/docs.txt && sphinx-build -W -b html docs docs/_build``
"""
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

project = 'vssl_mm'
author = 'vssl_mm contributors'
copyright = '2026, vssl_mm contributors'


def _version() -> str:
    scope = {}
    with open(osp.join(ROOT, 'vssl_mm', 'version.py')) as f:
        exec(f.read(), scope)  # no import of vssl_mm (torch) needed to build the docs
    return scope['__version__']


version = release = _version()

extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']
myst_enable_extensions = ['colon_fence', 'dollarmath']
myst_heading_anchors = 3

try:
    import sphinx_rtd_theme  # noqa: F401
    html_theme = 'sphinx_rtd_theme'
except ImportError:  # the docs still build (with the default theme) without it
    html_theme = 'alabaster'
html_title = f'vssl_mm {release}'
html_static_path = []
