import numpy as np
import torch
from mmaction.structures import ActionDataSample

from vssl_mm.registry import MODELS
from vssl_mm.utils import register_all_modules


def _model(**kw):
    register_all_modules(init_default_scope=True)
    cfg = dict(
        type='SegOrderRate',
        backbone=dict(
            type='ResNet2Plus1d',
            depth=18,
            pretrained=None,
            pretrained2d=False,
            base_channels=4,
            conv_cfg=dict(type='Conv2plus1d'),
            norm_cfg=dict(type='BN3d', requires_grad=True),
            inflate=(1, 1, 1, 1),
            conv1_stride_t=1,
            pool1_stride_t=1,
            zero_init_residual=False,
            norm_eval=False),
        order_head=dict(
            type='SegmentOrderHead', in_channels=32, num_segments=3, hidden_channels=16),
        rate_head=dict(type='SamplingRateHead', in_channels=32, num_segments=3, loss_weight=0.3),
        neck=dict(type='MLPProjection', in_channels=32, out_channels=12),
        contrast_loss=dict(
            type='InfoNCELoss',
            temperature=0.07,
            gather=False,
            symmetric=False,
            similarity=dict(type='ShuffleSimilarity', num_parts=3)),
        queue_len=8,
        momentum=0.9)
    cfg.update(kw)
    return MODELS.build(cfg)


def _samples(n):
    out = []
    for i in range(n):
        s = ActionDataSample()
        s.set_metainfo(dict(order_label=i % 6, seg_rates=np.array([1., 2., 3.], np.float32)))
        out.append(s)
    return out


def test_loss_terms_grads_momentum_and_queue():
    torch.manual_seed(0)
    model = _model()
    model.init_weights()
    for q, k in zip(model.backbone.parameters(), model.key_backbone.parameters()):
        torch.testing.assert_close(q, k)  # K starts as a copy of Q
    model.train()
    x = torch.randn(4, 2, 3, 8, 32, 32)
    # perturb Q so that the Eq. 18 step is visible
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(0.1)
    q_before = [p.clone() for p in model.backbone.parameters()]
    k_before = [p.clone() for p in model.key_backbone.parameters()]
    queue_before = model.queue.queue.clone()
    losses = model.loss(x, _samples(4))
    for key in ('loss_order', 'loss_rate', 'loss_contrast', 'acc_order', 'rate_error',
                'acc_contrast'):
        assert key in losses and torch.isfinite(losses[key])
    for qb, kb, k in zip(q_before, k_before, model.key_backbone.parameters()):
        torch.testing.assert_close(k, 0.9 * kb + 0.1 * qb)
    assert model.queue.ptr.item() == 4
    assert torch.equal(model.queue.queue[4:], queue_before[4:])
    assert not torch.equal(model.queue.queue[:4], queue_before[:4])
    total = losses['loss_order'] + losses['loss_rate'] + losses['loss_contrast']
    total.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.backbone.parameters())
    assert all(p.grad is None for p in model.key_backbone.parameters())
    assert 'queue.queue' in model.state_dict() and 'queue.ptr' in model.state_dict()


def test_ablations_drop_terms():
    model = _model(order_head=None, contrast_loss=None, neck=None)
    losses = model.loss(torch.randn(2, 1, 3, 8, 32, 32), _samples(2))
    assert set(k for k in losses if k.startswith('loss')) == {'loss_rate'}
    assert not hasattr(model, 'queue')
