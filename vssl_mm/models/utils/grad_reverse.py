"""Gradient reversal (Ganin & Lempitsky, 2015), used by ctrl_aug's L_mi (Eq. 6).

``grad_reverse(x, scale)`` is the identity in the forward pass and multiplies the
gradient by ``-scale`` in the backward pass: the module after it (the MI estimator
G_theta) is trained to *maximise* its objective while the encoder before it receives the
reversed gradient and *minimises* it, in one backward pass.
"""
import torch


class GradReverse(torch.autograd.Function):
    """``y = x``; ``dL/dx = -scale * dL/dy``."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, scale: float) -> torch.Tensor:
        ctx.scale = float(scale)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return -ctx.scale * grad, None


def grad_reverse(x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """Identity forward, gradient multiplied by ``-scale`` backward."""
    return GradReverse.apply(x, scale)
