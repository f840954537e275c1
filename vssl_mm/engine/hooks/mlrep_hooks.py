"""mlrep stage hook: two-stage training as one run, queue start, frozen prototypes."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vssl_mm.registry import HOOKS


@HOOKS.register_module()
class MLRepStageHook(Hook):
    """Switch mlrep's stages by epoch (0-based ``runner.epoch``).

    - ``L_mul`` (Eq. 10) is on from epoch ``mul_start_epoch``, or from
      ``round(mul_start_ratio * max_epochs)`` (the paper's E%: 20 of 100 on K400, 50 of
      300 on UCF101). Before that its weight is 0 (the first stage).
    - The queue of past prototype scores joins Sinkhorn from ``queue_start_epoch``.
    - Prototype weights are frozen for the first ``freeze_prototypes_epochs`` epochs: the
      optimiser step does not move them (restored after each step, their optimiser state
      dropped), as SwAV does by discarding their gradients.

    The stage is a function of the epoch, so ``--resume`` restores it; the model also keeps
    it in buffers (``mul_on``, ``queue_on``), saved in every checkpoint.
    """

    priority = 'NORMAL'

    def __init__(self,
                 mul_start_ratio: Optional[float] = None,
                 mul_start_epoch: Optional[int] = None,
                 queue_start_epoch: int = 10,
                 freeze_prototypes_epochs: int = 1) -> None:
        if (mul_start_ratio is None) == (mul_start_epoch is None):
            raise ValueError('give exactly one of mul_start_ratio and mul_start_epoch')
        if mul_start_ratio is not None and not 0 <= mul_start_ratio <= 1:
            raise ValueError(f'mul_start_ratio must be in [0, 1], got {mul_start_ratio}')
        self.mul_start_ratio = mul_start_ratio
        self.mul_start_epoch = mul_start_epoch
        self.queue_start_epoch = queue_start_epoch
        self.freeze_prototypes_epochs = freeze_prototypes_epochs
        self._saved: Optional[torch.Tensor] = None

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def mul_start(self, max_epochs: int) -> int:
        if self.mul_start_epoch is not None:
            return int(self.mul_start_epoch)
        return int(round(self.mul_start_ratio * max_epochs))

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch
        model = self._model(runner)
        mul_on = epoch >= self.mul_start(runner.max_epochs)
        queue_on = epoch >= self.queue_start_epoch
        model.set_stage(mul_on=mul_on, queue_on=queue_on)
        runner.logger.info(f'mlrep stage at epoch {epoch + 1}: L_mul '
                           f'{"on" if mul_on else "off"}, prototype queue '
                           f'{"on" if queue_on else "off"}')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if runner.epoch < self.freeze_prototypes_epochs:
            self._saved = self._model(runner).proto_head.prototypes.weight.detach().clone()
        else:
            self._saved = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._saved is None:
            return
        weight = self._model(runner).proto_head.prototypes.weight
        with torch.no_grad():
            weight.copy_(self._saved)
        for optimizer in _optimizers(runner.optim_wrapper):
            optimizer.state.pop(weight, None)
        self._saved = None


def _optimizers(optim_wrapper):
    if hasattr(optim_wrapper, 'optimizer'):
        return [optim_wrapper.optimizer]
    return [w.optimizer for w in optim_wrapper.values()]  # OptimWrapperDict
