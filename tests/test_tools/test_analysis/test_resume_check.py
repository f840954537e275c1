"""Item 5: a run SIGKILLed in epoch 2 and resumed reproduces the uninterrupted run's
logged losses and final weights. CI covers two methods with the most state: seg_order_rate
(queue + momentum encoder + shuffle-BN permutations drawn in the main process) with 2
dataloader workers, where exactness needs RNGStateHook (without it every epoch-2 loss
differs), and mlrep (prototypes + queue + stage switches) with 0 workers. The full sweep
over all five methods is tools/analysis/resume_check.py (results in the issue note)."""
import os.path as osp
import sys

import pytest

from tests.conftest import REPO

sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
import resume_check  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.mark.parametrize('method,workers', [('seg_order_rate', 2), ('mlrep', 0)])
def test_sigkill_mid_epoch_then_resume_is_exact(method, workers, synthetic_data, tmp_path):
    r = resume_check.check_method(
        method, synthetic_data, str(tmp_path), kill_at_iter=2, num_workers=workers)
    assert r['killed_after_epoch2_iter'] == 2  # killed mid-epoch 2 (of 4 iterations)
    assert r['runs_in_part'] == 2 and r['all_steps_logged'] and r['steps'] == 8
    assert r['mismatched_steps'] == [], r
    assert r['num_mismatched_tensors'] == 0, r
