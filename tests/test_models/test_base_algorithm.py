"""BaseVideoSSL contract on the clip-contrast baseline: loss, predict, tensor modes."""
import torch
from mmengine.registry import DefaultScope

from vssl_mm.datasets.transforms import PackMultiViewInputs
from vssl_mm.registry import MODELS


def _model():
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        return MODELS.build(dict(
            type='ClipContrast',
            backbone=dict(type='ResNet3dSSL', depth=18, base_channels=8,
                          out_indices=(2, 3)),
            neck=dict(type='MLPProjection', in_channels=64, out_channels=16)))


def test_loss_predict_tensor_modes():
    import numpy as np
    model = _model()
    views = [np.random.randint(0, 255, (4, 32, 32, 3), np.uint8) for _ in range(3)]
    packed = [PackMultiViewInputs()(dict(views=views, label=i)) for i in range(2)]
    data = model.data_preprocessor(
        dict(inputs=[p['inputs'] for p in packed],
             data_samples=[p['data_samples'] for p in packed]))
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) >= {'loss_nce', 'acc_nce'} and losses['loss_nce'].requires_grad
    out = model(data['inputs'], data['data_samples'], mode='predict')
    assert out[0].clip_features.shape == (3, 64)  # one vector per clip (view)
    assert out[1].gt_label.item() == 1
    feats = model(data['inputs'], mode='tensor')
    assert [tuple(f.shape[:3]) for f in feats] == [(2, 3, 32), (2, 3, 64)]
    # the metric consumes what predict attaches
    from vssl_mm.evaluation.metrics import RetrievalMetric
    assert RetrievalMetric is not None
