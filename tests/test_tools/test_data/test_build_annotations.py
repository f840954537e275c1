"""Annotation builders (tools/data/*/build_annotations.py) on small fake trees in the
official split-file formats."""

import importlib.util
import json
import os.path as osp
import subprocess
import sys

from tests.conftest import REPO as ROOT


def _load(name):
    path = osp.join(ROOT, 'tools', 'data', name, 'build_annotations.py')
    spec = importlib.util.spec_from_file_location(f'build_{name}', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _lines(path):
    with open(path) as f:
        return [ln for ln in f.read().splitlines() if ln]


def test_ucf101(tmp_path):
    d = tmp_path / 'ucfTrainTestlist'
    d.mkdir()
    (d / 'classInd.txt').write_text('1 ApplyEyeMakeup\r\n2 ApplyLipstick\r\n')
    for k in (1, 2, 3):
        (d / f'trainlist0{k}.txt').write_text('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\n'
                                              f'ApplyLipstick/v_ApplyLipstick_g1{k}_c02.avi 2\r\n')
        (d / f'testlist0{k}.txt').write_text('ApplyLipstick/v_ApplyLipstick_g01_c01.avi\r\n')
    _load('ucf101').build(str(d), str(tmp_path / 'out'))
    assert _lines(tmp_path / 'out/ucf101_train_split_2_videos.txt') == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.mp4 0',
        'ApplyLipstick/v_ApplyLipstick_g12_c02.mp4 1'
    ]
    assert _lines(tmp_path / 'out/ucf101_val_split_3_videos.txt') == [
        'ApplyLipstick/v_ApplyLipstick_g01_c01.mp4 1'
    ]


def test_hmdb51(tmp_path):
    d = tmp_path / 'splits'
    d.mkdir()
    for k in (1, 2, 3):
        (d / f'wave_test_split{k}.txt').write_text(
            'a_wave_u_cm_np1_fr_med_0.avi 1 \nb_wave_f_cm_np1_le_med_1.avi 2 \n'
            'c_wave_f_cm_np1_ri_med_2.avi 0 \n')
        (d / f'brush_hair_test_split{k}.txt'
         ).write_text(f'April_09_brush_hair_u_nm_np1_ba_goo_{k}.avi {1 if k == 1 else 2} \n')
    _load('hmdb51').build(str(d), str(tmp_path / 'out'))
    assert _lines(tmp_path / 'out/hmdb51_train_split_1_videos.txt') == [
        'brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_1.mp4 0',
        'wave/a_wave_u_cm_np1_fr_med_0.mp4 1'
    ]
    assert _lines(tmp_path / 'out/hmdb51_val_split_2_videos.txt') == [
        'brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_2.mp4 0',
        'wave/b_wave_f_cm_np1_le_med_1.mp4 1'
    ]  # ID 0 (unused) is left out


def test_kinetics400_skips_missing(tmp_path):
    d = tmp_path / 'annotations'
    d.mkdir()
    head = 'label,youtube_id,time_start,time_end,split,is_cc\n'
    (d / 'train.csv').write_text(head + 'riding a bike,abc,10,20,train,0\n'
                                 'abseiling,xyz,0,10,train,0\n'
                                 'abseiling,gone,5,15,train,0\n')
    (d / 'validate.csv').write_text(head + 'riding a bike,val1,1,11,val,0\n')
    root = tmp_path / 'videos'
    for rel in ('train/riding a bike/abc_000010_000020.mp4',
                'train/abseiling/xyz_000000_000010.mp4',
                'val/riding a bike/val1_000001_000011.mp4'):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b'x')
    res = _load('kinetics400').build(str(d), str(tmp_path / 'out'), str(root))
    assert res[0][2] == 1  # one missing train video counted
    assert _lines(tmp_path / 'out/kinetics400_train_list_videos.txt') == [
        'train/riding a bike/abc_000010_000020.mp4 1', 'train/abseiling/xyz_000000_000010.mp4 0'
    ]
    assert _lines(tmp_path / 'out/kinetics400_val_list_videos.txt') == [
        'val/riding a bike/val1_000001_000011.mp4 1'
    ]
    # the command line: a summary line, and exit 1 unless missing videos are allowed
    tool = osp.join(ROOT, 'tools', 'data', 'kinetics400', 'build_annotations.py')
    cmd = [
        sys.executable, tool,
        str(d), '--out-dir',
        str(tmp_path / 'o2'), '--video-root',
        str(root)
    ]
    strict = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1, strict.stderr
    assert strict.stdout.splitlines()[-1] == 'wrote 2 lists, 3 video lines, 1 videos missing'
    assert subprocess.run(
        cmd + ['--allow-missing'], capture_output=True, timeout=60).returncode == 0


def test_diving48(tmp_path):
    d = tmp_path / 'ann'
    d.mkdir()
    (d / 'Diving48_train.json').write_text(
        json.dumps([dict(vid_name='-mmq0PT-u8k_00155', label=26, start_frame=0, end_frame=77)]))
    (d / 'Diving48_test.json').write_text(
        json.dumps([dict(vid_name='0ZRkZXn5fu4_00000', label=3, start_frame=0, end_frame=60)]))
    _load('diving48').build(str(d), str(tmp_path / 'out'))
    assert _lines(tmp_path / 'out/diving48_v1_train_videos.txt') == ['-mmq0PT-u8k_00155.mp4 26']
    assert _lines(tmp_path / 'out/diving48_v1_test_videos.txt') == ['0ZRkZXn5fu4_00000.mp4 3']
