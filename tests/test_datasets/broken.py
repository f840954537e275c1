"""Real broken video files for the reliability tests (made from a real synthetic mp4)."""
import os
import os.path as osp
import shutil

import numpy as np


def write_mp4(path: str, num_frames: int, size: int = 64) -> str:
    import cv2
    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25, (size, size))
    rng = np.random.RandomState(0)
    for _ in range(num_frames):
        w.write(rng.randint(0, 255, (size, size, 3), dtype=np.uint8))
    w.release()
    return path


def make_broken_videos(good_mp4: str, out_dir: str) -> dict:
    """name -> path of: empty, random bytes, truncated, missing, zero-frame, too short."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    paths['empty'] = osp.join(out_dir, 'empty.mp4')
    open(paths['empty'], 'wb').close()
    paths['random_bytes'] = osp.join(out_dir, 'random_bytes.mp4')
    with open(paths['random_bytes'], 'wb') as f:
        f.write(np.random.RandomState(1).bytes(20000))
    paths['truncated'] = osp.join(out_dir, 'truncated.mp4')
    data = open(good_mp4, 'rb').read()
    with open(paths['truncated'], 'wb') as f:
        f.write(data[:len(data) // 3])
    paths['missing'] = osp.join(out_dir, 'missing.mp4')
    paths['zero_frame'] = write_mp4(osp.join(out_dir, 'zero_frame.mp4'), 0)
    paths['too_short'] = write_mp4(osp.join(out_dir, 'too_short.mp4'), 3)
    paths['good_copy'] = osp.join(out_dir, 'good_copy.mp4')
    shutil.copy(good_mp4, paths['good_copy'])
    return paths
