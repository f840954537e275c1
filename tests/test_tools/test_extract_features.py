"""tools/extract_features.py (the command line over vssl_mm.apis)."""

import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from tests.checkpoints import RETRIEVAL, video_paths, write_checkpoints
from tests.conftest import REPO, free_port, run_tool
from vssl_mm.apis import extract_features, init_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    """A ClipContrast checkpoint (mmengine layout) and its exported backbone-only file."""
    return write_checkpoints(str(tmp_path_factory.mktemp('ckpt')))


def _read_index(out):
    with open(osp.join(out, 'index.tsv')) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'video\tfeatures\tlabel'
    return [line.split('\t') for line in lines[1:]]


def test_cli_files_resume_and_broken_video(synthetic_data, ckpts, tmp_path):
    vids = video_paths(synthetic_data)[:3]
    broken = str(tmp_path / 'broken.mp4')
    with open(broken, 'wb') as f:
        f.write(np.random.default_rng(0).bytes(4096))
    out = str(tmp_path / 'feats')
    args = [
        osp.join(REPO, 'tools/extract_features.py'), RETRIEVAL, ckpts['algo'], vids[0], broken,
        vids[1], vids[2], '--out', out, '--num-workers', '1'
    ]
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    strict = subprocess.run(
        [sys.executable] + args, capture_output=True, text=True, env=env, timeout=600)
    assert strict.returncode == 1, strict.stderr[-2000:]  # a failed input fails the job
    assert strict.stdout.rstrip().splitlines()[-1].startswith('extracted 3, skipped 0')
    args.append('--allow-partial')
    proc = run_tool(args)
    assert 'broken.mp4' in proc.stdout and 'failed 1' in proc.stdout
    rows = _read_index(out)
    assert [r[0] for r in rows] == vids  # input order, the broken one left out
    model = init_model(RETRIEVAL, ckpts['algo'])
    ref = extract_features(model, vids)
    for (video, npy, label), r in zip(rows, ref):
        assert label == ''
        np.testing.assert_allclose(np.load(osp.join(out, npy)), r, rtol=1e-4, atol=1e-5)
    with open(osp.join(out, 'failed.tsv')) as f:
        failed = f.read().splitlines()
    assert len(failed) == 1 and failed[0].startswith(broken + '\t')
    assert len(glob.glob(osp.join(out, '**', '*.npy'), recursive=True)) == 3
    # second run: nothing recomputed
    mtimes = {r[1]: os.stat(osp.join(out, r[1])).st_mtime_ns for r in rows}
    assert sorted(mtimes) == sorted(osp.basename(v)[:-4] + '.npy' for v in vids)
    proc = run_tool(args)
    assert 'extracted 0, skipped 3' in proc.stdout and 'failed 1' in proc.stdout
    assert all(os.stat(osp.join(out, n)).st_mtime_ns == t for n, t in mtimes.items())
    assert len(_read_index(out)) == 3
    # another model into the same folder: everything is extracted again
    args[2] = 'none'
    proc = run_tool(args)
    assert 're-extracting every video' in proc.stdout
    assert 'extracted 3, skipped 0' in proc.stdout
    random_init = np.load(osp.join(out, rows[0][1]))
    assert not np.allclose(random_init, ref[0], atol=1e-4)
    with open(osp.join(out, 'extraction.json')) as f:
        assert json.load(f)['checkpoint'] is None


def test_cli_list_paths_resolve_against_the_list_folder(synthetic_data, ckpts, tmp_path):
    """No --data-prefix: the list's relative paths resolve against its folder; a list
    whose videos all fail exits non-zero even with --allow-partial."""
    out = str(tmp_path / 'feats')
    proc = run_tool([
        osp.join(REPO, 'tools/extract_features.py'), RETRIEVAL, ckpts['algo'], '--list',
        synthetic_data['val'], '--out', out, '--num-workers', '0', '--num-clips', '2'
    ],
                    cwd=str(tmp_path))
    assert 'extracted 8, skipped 0 (already done), failed 0' in proc.stdout
    bad_list = tmp_path / 'missing.txt'
    bad_list.write_text('nowhere/a.mp4 0\nnowhere/b.mp4 1\n')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    failed = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools/extract_features.py'), RETRIEVAL, 'none', '--list',
        str(bad_list), '--out',
        str(tmp_path / 'f2'), '--num-workers', '0', '--allow-partial'
    ],
                            capture_output=True,
                            text=True,
                            env=env,
                            timeout=600)
    assert failed.returncode == 1
    assert 'extracted 0, skipped 0 (already done), failed 2' in failed.stdout
    assert str(tmp_path / 'nowhere' / 'a.mp4') in failed.stdout


def test_cli_two_processes_write_every_video_once(synthetic_data, ckpts, tmp_path):
    out = str(tmp_path / 'feats')
    proc = run_tool([
        'bash',
        osp.join(REPO, 'tools/dist_extract_features.sh'), RETRIEVAL, ckpts['bare'], '2', '--list',
        synthetic_data['val'], '--data-prefix', synthetic_data['root'], '--out', out,
        '--num-workers', '0', '--per-clip', '--num-clips', '4'
    ],
                    env_extra=dict(PORT=str(free_port())))
    assert 'extracted 8, skipped 0' in proc.stdout and 'failed 0' in proc.stdout
    rows = _read_index(out)
    with open(synthetic_data['val']) as f:
        ann = [line.split() for line in f if line.strip()]
    expected = [(osp.join(synthetic_data['root'], p), lab) for p, lab in ann]
    assert [(r[0], r[2]) for r in rows] == expected
    assert sorted(r[1] for r in rows) == sorted(p[:-4] + '.npy' for p, _ in ann)
    assert len(glob.glob(osp.join(out, '**', '*.npy'), recursive=True)) == 8
    assert not glob.glob(osp.join(out, '.rank*')) and not glob.glob(out + '/**/*.tmp')
    assert np.load(osp.join(out, rows[0][1])).shape == (4, 128)


def test_cli_names_files_that_differ_only_by_extension(tmp_path):
    """clip.mp4 and clip.avi in one folder get clip.mp4.npy / clip.avi.npy; the same
    name from two folders given separately is refused naming both."""
    import importlib.util
    import types
    spec = importlib.util.spec_from_file_location('extract_features_tool',
                                                  osp.join(REPO, 'tools/extract_features.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for name in ('a/clip.mp4', 'a/clip.avi', 'a/other.mp4', 'b/other.mp4'):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b'')
    args = types.SimpleNamespace(ann_file=None, videos=[str(tmp_path / 'a')], data_prefix=None)
    assert [k for _, k, _ in tool.collect_videos(args)] == ['clip.avi', 'clip.mp4', 'other']
    args.videos = [str(tmp_path / 'a' / 'other.mp4'), str(tmp_path / 'b' / 'other.mp4')]
    with pytest.raises(SystemExit, match='same output name "other.npy"'):
        tool.collect_videos(args)
