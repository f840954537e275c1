"""MLRep: loss terms, stage flag, queue through a checkpoint."""

import pytest
import torch

from tests.test_models.mlrep_tiny import tiny_mlrep


def _tiny_model(**kw):
    return tiny_mlrep(**kw)


def test_loss_terms_and_stage_flag():
    torch.manual_seed(0)
    model = _tiny_model()
    x = torch.randn(4, 3, 3, 8, 32, 32)
    out = model.loss(x)
    for k in ('loss_ins', 'loss_proto', 'loss_mul_high', 'loss_mul_mid', 'loss_mul_low',
              'loss_aug_mid', 'loss_aug_low', 'loss_ret_high', 'loss_ret_mid', 'loss_ret_low'):
        assert k in out and torch.isfinite(out[k])
    assert out['loss_mul_low'] == 0  # first stage
    model.set_stage(mul_on=True, queue_on=True)
    out = model.loss(x)
    assert out['loss_mul_low'] > 0 and out['mul_on'] == 1
    sum(v for k, v in out.items() if k.startswith('loss')).backward()
    assert model.level_proj['low'].mlp[0].weight.grad.abs().sum() > 0
    assert model.queue_filled.item() == 8 and model.proto_head.queue.ptr.item() == 0
    with pytest.raises(ValueError):
        _tiny_model(loss_weights=dict(nope=1.0))


def test_queue_saved_and_restored_through_checkpoint(tmp_path):
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    model = _tiny_model()
    model.set_stage(mul_on=True, queue_on=True)
    model.loss(torch.randn(4, 3, 3, 8, 32, 32))
    assert model.proto_head.queue.queue.abs().sum() > 0 and model.queue_filled.item() == 4
    path = str(tmp_path / 'ckpt.pth')
    save_checkpoint(dict(state_dict=model.state_dict()), path)
    other = _tiny_model()
    load_checkpoint(other, path, map_location='cpu', strict=True)
    for name in ('proto_head.queue.queue', 'proto_head.queue.ptr', 'proto_head.queue_filled',
                 'mul_on', 'queue_on', 'proto_head.prototypes.weight'):
        torch.testing.assert_close(other.state_dict()[name], model.state_dict()[name])
    assert other.mul_on.item() == 1 and other.proto_head.queue.ptr.item() == 4
    # a checkpoint from before the queue moved into the head (proto_queue.*, queue_filled)
    renamed = {
        'proto_head.queue.queue': 'proto_queue.queue',
        'proto_head.queue.ptr': 'proto_queue.ptr',
        'proto_head.queue_filled': 'queue_filled'
    }
    old = {renamed.get(k, k): v for k, v in model.state_dict().items()}
    save_checkpoint(dict(state_dict=old), path)
    third = _tiny_model()
    load_checkpoint(third, path, map_location='cpu', strict=True)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(third.state_dict()[name], value)
