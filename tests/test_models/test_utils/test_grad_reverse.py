"""Gradient reversal: sign and scale, and encoder / critic min-max through it."""

import torch

from vssl_mm.models.heads.ctrl_aug import MINECritic
from vssl_mm.models.losses.mine import mine_lower_bound
from vssl_mm.models.utils.grad_reverse import grad_reverse


def test_grad_reverse_sign_and_scale():
    x = torch.randn(5, requires_grad=True)
    y = grad_reverse(x, 0.5)
    torch.testing.assert_close(y, x.detach())
    (y * torch.arange(5.)).sum().backward()
    torch.testing.assert_close(x.grad, -0.5 * torch.arange(5.))


def test_grl_encoder_minimises_critic_maximises():
    torch.manual_seed(0)
    enc = torch.nn.Linear(3, 4)
    critic = MINECritic(4, 8)
    x = torch.randn(6, 3)
    joint = torch.eye(6, dtype=torch.bool)
    other = torch.ones(6, 6, dtype=torch.bool)

    def bound(reverse):
        f = enc(x)
        f = grad_reverse(f) if reverse else f
        s = critic.pairwise(f, f)
        return mine_lower_bound(s, s, joint, other)

    grads = {}
    for reverse in (False, True):
        enc.zero_grad()
        critic.zero_grad()
        (-bound(reverse)).backward()  # loss_mi = -I
        grads[reverse] = ([p.grad.clone() for p in enc.parameters()],
                          [p.grad.clone() for p in critic.parameters()])
    for a, b in zip(grads[False][0], grads[True][0]):  # encoder: flipped
        torch.testing.assert_close(b, -a)
    for a, b in zip(grads[False][1], grads[True][1]):  # critic: as is
        torch.testing.assert_close(b, a)
