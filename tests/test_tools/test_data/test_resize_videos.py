"""tools/data/resize_videos.py."""

import os.path as osp
import subprocess
import sys

import numpy as np

from tests.conftest import REPO as ROOT


def test_resize_videos_short_side(tmp_path):
    import cv2
    src = tmp_path / 'src' / 'cls'
    src.mkdir(parents=True)
    w = cv2.VideoWriter(str(src / 'a.avi'), cv2.VideoWriter_fourcc(*'MJPG'), 25, (128, 96))
    for i in range(6):
        w.write(np.full((96, 128, 3), i * 40, np.uint8))
    w.release()
    res = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools/data/resize_videos.py'),
        str(tmp_path / 'src'),
        str(tmp_path / 'dst'), '--short-side', '64', '--workers', '1', '--backend', 'opencv'
    ],
                         capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    import decord
    vr = decord.VideoReader(str(tmp_path / 'dst' / 'cls' / 'a.mp4'))
    assert len(vr) == 6 and vr[0].shape == (64, 86, 3)  # 128x96 -> 85.3 -> even 86
