"""flake8, isort and yapf over the package, the tools, the tests and the configs (setup.cfg's
[flake8], [isort] and [yapf], one line length of 100).

CI runs the test suite, so a lint error fails CI. Both come from requirements/tests.txt.
"""
import subprocess
import sys

from tests.conftest import REPO

PATHS = ('vssl_mm', 'tools', 'tests', 'configs', 'docs/tutorials', 'setup.py')


def test_flake8_clean():
    proc = subprocess.run([sys.executable, '-m', 'flake8', *PATHS],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert 'No module named flake8' not in proc.stderr, (
        'flake8 is missing: pip install -r requirements/tests.txt')
    assert proc.returncode == 0, f'flake8 {" ".join(PATHS)}:\n{proc.stdout}{proc.stderr}'


def test_isort_clean():
    proc = subprocess.run([sys.executable, '-m', 'isort', '--check-only', '--diff', *PATHS],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert 'No module named isort' not in proc.stderr, (
        'isort is missing: pip install -r requirements/tests.txt')
    assert proc.returncode == 0, f'isort {" ".join(PATHS)}:\n{proc.stdout}{proc.stderr}'


def test_yapf_clean():
    proc = subprocess.run([sys.executable, '-m', 'yapf', '--diff', '--recursive', *PATHS],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert 'No module named yapf' not in proc.stderr, (
        'yapf is missing: pip install -r requirements/tests.txt')
    assert proc.returncode == 0 and not proc.stdout, (
        f'yapf would reformat (yapf -i -r {" ".join(PATHS)}):\n{proc.stdout[:5000]}{proc.stderr}')
