"""BaseVideoSSL contract on the clip-contrast baseline: loss, predict, tensor modes."""
from mmengine.registry import DefaultScope

from vssl_mm.datasets.transforms import PackMultiViewInputs
from vssl_mm.registry import MODELS


def _model():
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        return MODELS.build(
            dict(
                type='ClipContrast',
                backbone=dict(type='ResNet3dSSL', depth=18, base_channels=8, out_indices=(2, 3)),
                neck=dict(type='MLPProjection', in_channels=64, out_channels=16)))


def test_loss_predict_tensor_modes():
    import numpy as np
    model = _model()
    rng = np.random.RandomState(0)  # two different videos of 3 clips
    views = [[rng.randint(0, 255, (4, 32, 32, 3)).astype(np.uint8) for _ in range(3)]
             for _ in range(2)]
    packed = [PackMultiViewInputs()(dict(views=views[i], label=i)) for i in range(2)]
    data = model.data_preprocessor(
        dict(
            inputs=[p['inputs'] for p in packed], data_samples=[p['data_samples'] for p in packed]))
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) >= {'loss_nce', 'acc_nce'} and losses['loss_nce'].requires_grad
    out = model(data['inputs'], data['data_samples'], mode='predict')
    assert out[0].clip_features.shape == (3, 64)  # one vector per clip (view)
    assert out[1].gt_label.item() == 1
    feats = model(data['inputs'], mode='tensor')
    assert [tuple(f.shape[:3]) for f in feats] == [(2, 3, 32), (2, 3, 64)]
    # the metric consumes what predict attaches: the mean of the clip features per video;
    # with a copy of video 0 (label 0) added, video 0 and its copy retrieve each other
    # (cosine 1) and video 1 (label 1) finds only label-0 videos: R@1 = 2 / 3
    import copy

    from vssl_mm.evaluation.metrics import RetrievalMetric
    metric = RetrievalMetric(topk=(1, ))
    metric.process(None, list(out) + [copy.deepcopy(out[0])])
    np.testing.assert_allclose(
        metric.results[1]['feature'], out[1].clip_features.mean(0).numpy(), rtol=1e-6)
    assert [r['label'] for r in metric.results] == [0, 1, 0]
    recall = metric.compute_metrics(metric.results)['R@1']
    assert abs(recall - 200 / 3) < 1e-9
