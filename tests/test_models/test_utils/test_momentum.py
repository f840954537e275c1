"""momentum_update, exactly."""

import torch
import torch.nn as nn

from vssl_mm.models.utils import momentum_update


def test_momentum_update_exact():
    torch.manual_seed(0)
    q, k = nn.Sequential(nn.Linear(3, 4),
                         nn.BatchNorm1d(4)), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    q[1].running_mean.fill_(2.0)
    q[1].num_batches_tracked.fill_(7)
    old_k = {n: t.clone() for n, t in k.state_dict().items()}
    momentum_update(q, k, 0.9)
    for n, t in k.state_dict().items():
        if t.dtype.is_floating_point:
            torch.testing.assert_close(
                t, 0.9 * old_k[n] + 0.1 * q.state_dict()[n], rtol=0, atol=1e-7)
    assert k[1].num_batches_tracked.item() == 7
    momentum_update(q, k, 0.0)
    for n, t in k.state_dict().items():
        torch.testing.assert_close(t, q.state_dict()[n])
