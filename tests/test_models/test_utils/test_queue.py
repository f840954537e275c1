"""KeyQueue: wrap-around and checkpoint round trip."""

import pytest
import torch

from vssl_mm.models.utils import KeyQueue


def test_queue_wraparound_exact_and_length_check():
    qu = KeyQueue(6, 2)
    batches = [torch.full((2, 2), float(i)) for i in range(5)]
    for b in batches:
        qu.enqueue(b)
    # 5 batches of 2 into 6 slots: slots 0-1 = batch 3, 2-3 = batch 4, 4-5 = batch 2
    expect = torch.tensor([3, 3, 4, 4, 2, 2], dtype=torch.float32)[:, None].expand(6, 2)
    torch.testing.assert_close(qu(), expect)
    assert qu.ptr.item() == 4
    with pytest.raises(ValueError, match='multiple of the global batch'):
        qu.enqueue(torch.zeros(4, 2))
    with pytest.raises(ValueError):
        qu.enqueue(torch.zeros(2, 3))


def test_queue_survives_checkpoint_round_trip(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader
    qu = KeyQueue(8, 3)
    qu.enqueue(torch.ones(4, 3))
    torch.save(dict(state_dict=qu.state_dict(), meta=dict(epoch=1)), tmp_path / 'q.pth')
    ckpt = CheckpointLoader.load_checkpoint(str(tmp_path / 'q.pth'), map_location='cpu')
    new = KeyQueue(8, 3)
    assert not torch.equal(new.queue, qu.queue)
    new.load_state_dict(ckpt['state_dict'])
    torch.testing.assert_close(new.queue, qu.queue)
    assert new.ptr.item() == 4
