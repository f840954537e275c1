"""Item 6: a NaN/Inf loss term stops training with the term and iteration named (before
the weights change), or the step is skipped when configured."""
import copy

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner

from vssl_mm.engine.hooks.reliability import NonFiniteLossError, NonFiniteLossHook


class ToyModel(BaseModel):
    """loss_a is finite; loss_b becomes NaN (or Inf) in the iterations in ``bad``."""

    def __init__(self, bad=(3, ), value=float('nan')):
        super().__init__()
        self.fc = nn.Linear(3, 1)
        self.bad, self.value, self.calls = bad, value, 0
        self.history = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        if mode != 'loss':
            return self.fc(x)
        self.calls += 1
        self.history.append(copy.deepcopy(self.fc.state_dict()))
        out = self.fc(x)
        loss_b = out.abs().mean()
        if self.calls in self.bad:
            loss_b = loss_b * self.value
        return dict(loss_a=out.pow(2).mean(), loss_b=loss_b)


def _run(tmp_path, model, hook):
    data = [dict(inputs=torch.randn(3)) for _ in range(16)]
    runner = Runner(
        model=model,
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=4,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1), checkpoint=None),
        custom_hooks=[hook],
        default_scope='mmengine')
    runner.train()
    return runner


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_nonfinite_loss_raises_naming_term_and_iteration(tmp_path, value):
    model = ToyModel(bad=(7, ), value=value)
    hook = NonFiniteLossHook()
    with pytest.raises(NonFiniteLossError, match=rf'iteration 7 \(epoch 2\): loss_b={value}'):
        _run(tmp_path, model, hook)
    # stopped before the update: the weights are those that produced the bad loss
    for k, v in model.fc.state_dict().items():
        assert torch.equal(v, model.history[-1][k]) and torch.isfinite(v).all()


def test_without_the_hook_nan_reaches_the_weights(tmp_path):
    model = ToyModel(bad=(3, ))
    _run(tmp_path, model, dict(type='EmptyCacheHook'))
    assert not torch.isfinite(model.fc.weight).all()  # the failure mode is real


def test_skip_mode_skips_the_step(tmp_path):
    model = ToyModel(bad=(3, 6))
    hook = NonFiniteLossHook(action='skip')
    _run(tmp_path, model, hook)
    assert hook.num_skipped == 2 and model.calls == 8
    assert torch.isfinite(model.fc.weight).all()
    for k in model.fc.state_dict():  # the weights did not move in the skipped steps
        assert torch.equal(model.history[2][k], model.history[3][k])
        assert torch.equal(model.history[5][k], model.history[6][k])
        assert not torch.equal(model.history[3][k], model.history[4][k])


def test_skip_mode_stops_after_max_skips(tmp_path):
    model = ToyModel(bad=(2, 3, 4))
    with pytest.raises(NonFiniteLossError, match='3 consecutive non-finite losses'):
        _run(tmp_path, model, NonFiniteLossHook(action='skip', max_skips=2))
