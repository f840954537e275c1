"""Swapped prediction against a brute-force loop."""

import math

import torch
import torch.nn.functional as F

from tests.test_models.mlrep_tiny import tiny_mlrep
from vssl_mm.models.losses import sinkhorn_targets, swapped_prediction_loss


def test_swapped_prediction_brute_force():
    torch.manual_seed(0)
    model = _tiny_model(queue_length=0)
    scores = torch.randn(4, 2, model.num_prototypes)
    targets = sinkhorn_targets(scores, model.sinkhorn_eps, model.sinkhorn_iters)
    loss = swapped_prediction_loss(scores, targets, 0.1)
    ref = 0.0
    for i in range(4):
        for k in range(model.num_prototypes):
            p1 = math.exp(scores[i, 0, k] / 0.1) / sum(
                math.exp(scores[i, 0, c] / 0.1) for c in range(model.num_prototypes))
            p2 = math.exp(scores[i, 1, k] / 0.1) / sum(
                math.exp(scores[i, 1, c] / 0.1) for c in range(model.num_prototypes))
            ref -= 0.5 * (
                float(targets[i, 0, k]) * math.log(p2) + float(targets[i, 1, k]) * math.log(p1))
    assert math.isclose(float(loss), ref / 4, rel_tol=1e-4)
    # the head: unit prototypes, Sinkhorn targets of the scores, the same loss
    z = F.normalize(torch.randn(4, 2, 8), dim=2)
    head_loss, head_targets = model.proto_head.loss(z, use_queue=model.queue_on)
    scores = model.proto_head(z).detach()
    torch.testing.assert_close(head_targets,
                               sinkhorn_targets(scores, model.sinkhorn_eps, model.sinkhorn_iters))
    torch.testing.assert_close(head_loss, swapped_prediction_loss(scores, head_targets, 0.1))


def _tiny_model(**kw):
    return tiny_mlrep(**kw)
