"""docs/export_to_mmaction2.md executed as written: its shell and Python blocks run in
order, in a fresh folder that holds only links to the repository's configs/ and tools/, and
what the page says they print or write is checked against what they did."""
import ast
import os
import os.path as osp
import re
import subprocess
import sys
from typing import List, Tuple

import pytest

from tests.conftest import REPO

PAGE = osp.join(REPO, 'docs', 'export_to_mmaction2.md')
SECTIONS = ('From the synthetic pretraining to mmaction2, on a CPU', 'A config for any checkpoint',
            'Bare keys for `backbone.pretrained`')

pytestmark = pytest.mark.slow


def page_blocks(section: str) -> List[Tuple[str, str]]:
    """``(language, code)`` of every fenced block under ``## section`` of the page."""
    with open(PAGE) as f:
        text = f.read()
    start = text.index(f'## {section}\n')
    end = text.find('\n## ', start + 1)
    body = text[start:end if end > 0 else len(text)]
    return re.findall(r'^```(\S*)[^\n]*\n(.*?)^```$', body, flags=re.S | re.M)


def run_block(lang: str, code: str, cwd: str) -> str:
    if lang == 'bash':
        cmd = ['bash', '-e', '-c', code.replace('python ', f'{sys.executable} ')]
    else:
        cmd = [sys.executable, '-c', code]
    env = dict(os.environ, PYTHONPATH='')  # the installed vssl_mm, as a user has it
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, f'{lang} block failed:\n{code}\n{proc.stderr[-3000:]}'
    return proc.stdout + proc.stderr


def python_dict_literal(code: str) -> dict:
    """``name=dict(...)`` assignments of a shown block -> ``{name: dict}``."""
    out = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign):
            out[node.targets[0].id] = eval(compile(ast.Expression(node.value), '<doc>', 'eval'))
    return out


def test_pretraining_to_mmaction2_journey(tmp_path):
    for name in ('configs', 'tools'):
        os.symlink(osp.join(REPO, name), tmp_path / name)
    cwd = str(tmp_path)

    journey = page_blocks(SECTIONS[0])
    langs = [lang for lang, _ in journey]
    assert langs == ['bash', 'python', '{literalinclude}', 'python', 'bash'], langs
    (_, prepare), (_, shown_backbone), _, (_, api), (_, finetune) = journey

    log = run_block('bash', prepare, cwd)  # synthetic data, pretraining, export
    assert 'Wrote 120 backbone tensors' in log and "(format 'recognizer')" in log
    assert osp.isfile(tmp_path / 'work_dirs/r3d18_synthetic/backbone.pth')
    head, _, printed = log.partition('mmaction2 backbone (')
    printed = printed[printed.index('\n') + 1:].split('\n')  # the indented dict lines
    printed = '\n'.join(line[2:] for line in printed if line.startswith('  '))
    assert python_dict_literal(printed) == python_dict_literal(shown_backbone)

    out = run_block('python', api, cwd)  # mmaction2's own API, imported before vssl_mm
    scores = re.findall(r'[-\d.e]+', out[out.rindex('tensor('):])
    assert len(scores) >= 8, out[-2000:]

    log = run_block('bash', finetune, cwd)  # finetune + test through the Runner
    assert 'Load checkpoint from work_dirs/r3d18_synthetic/backbone.pth' in log
    assert 'cls_head.fc_cls.weight' in log  # the new head is reported missing
    assert re.search(r'acc/top1: [\d.]+', log), log[-2000:]

    # a model-only Recognizer3D config for the checkpoint: the page shows what is written
    (lang, write), (_, shown) = page_blocks(SECTIONS[1])
    run_block(lang, write, cwd)
    written = python_dict_literal(open(tmp_path / 'work_dirs/r3d18_synthetic/recognizer.py').read())
    assert written == python_dict_literal(shown)

    # bare backbone keys through model.backbone.pretrained
    (lang, bare), = page_blocks(SECTIONS[2])
    log = run_block(lang, bare, cwd)
    assert 'load model from: work_dirs/r3d18_synthetic/backbone_bare.pth' in log, log[-3000:]
