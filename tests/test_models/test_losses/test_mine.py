"""MINE lower bound against hand values, with masks."""

import math

import torch

from vssl_mm.models.losses.mine import MINELoss, mine_lower_bound


def test_mine_hand_value_and_masks():
    joint = torch.tensor([1., 2., 3.])
    marginal = torch.tensor([0., math.log(3.)])
    # mean(joint) = 2; log mean exp(marginal) = log((1 + 3) / 2) = log 2
    torch.testing.assert_close(mine_lower_bound(joint, marginal), torch.tensor(2 - math.log(2.)))
    s = torch.tensor([[1., 0.], [math.log(3.), 5.]])
    jm = torch.tensor([[True, False], [False, True]])
    mm = torch.tensor([[False, True], [True, False]])
    torch.testing.assert_close(mine_lower_bound(s, s, jm, mm), torch.tensor(3 - math.log(2.)))
    loss, mi = MINELoss(maximize=True, loss_weight=2.)(joint, marginal)
    torch.testing.assert_close(loss, -2 * mi)
    z = mine_lower_bound(s, s, torch.zeros_like(jm), mm)  # no joint pair: 0
    assert z.item() == 0
