"""Freezing and ``norm_eval`` for backbones whose stages are lists of attribute names."""
from typing import List

from mmengine.utils.dl_utils.parrots_wrapper import _BatchNorm


class NamedStagesMixin:
    """For backbones that list their stages in ``self.stage_names`` (one list of module
    attribute names per stage, the stem first): stages ``0..frozen_stages`` are put in
    eval mode without gradients, and with ``norm_eval`` every BN stays in eval mode."""

    stage_names: List[List[str]]
    frozen_stages: int
    norm_eval: bool

    def _freeze_stages(self) -> None:
        for i in range(self.frozen_stages + 1):
            for name in self.stage_names[i]:
                m = getattr(self, name)
                m.eval()
                for param in m.parameters():
                    param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
