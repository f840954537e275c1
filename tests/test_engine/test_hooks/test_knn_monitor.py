"""KNNMonitorHook: leave-one-out recall logged during training."""

import os.path as osp
from types import SimpleNamespace

import pytest
import torch


def test_knn_monitor_hook_logs_leave_one_out_recall(synthetic_root, ssl_checkpoint):
    from mmengine.runner import Runner

    from vssl_mm.engine.hooks import KNNMonitorHook
    from vssl_mm.evaluation import recall_at_k
    from vssl_mm.registry import HOOKS
    _, model = ssl_checkpoint
    loader = dict(
        batch_size=3,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='VideoSSLDataset',
            ann_file=osp.join(synthetic_root, 'val.txt'),
            data_prefix=dict(video=synthetic_root),
            test_mode=True,
            pipeline=[
                dict(type='VideoOpen'),
                dict(type='UniformClipsSampler', clip_len=4, frame_interval=2, num_clips=2),
                dict(type='MultiViewDecode'),
                dict(
                    type='ViewsApply',
                    transforms=[dict(type='Resize', scale=(32, 32), keep_ratio=False)]),
                dict(type='PackMultiViewInputs', meta_keys=('sample_idx', ))
            ]))
    hook = HOOKS.build(dict(type='KNNMonitorHook', dataloader=loader, interval=2, topk=(1, 5)))
    assert isinstance(hook, KNNMonitorHook)
    logged, scalars = [], []
    runner = SimpleNamespace(
        model=model,
        seed=0,
        epoch=1,
        max_epochs=10,
        build_dataloader=Runner.build_dataloader,
        logger=SimpleNamespace(info=logged.append),
        visualizer=SimpleNamespace(add_scalars=lambda d, step: scalars.append((d, step))),
        train_loop=SimpleNamespace(max_epochs=10))
    model.train()
    hook.after_train_epoch(runner)  # epoch 2 of 10 -> runs (interval 2)
    assert model.training  # mode restored
    assert logged and 'knn/R@1' in logged[0] and scalars[0][1] == 2
    # reference: pooled features of the same clips, leave-one-out
    ds = hook._loader.dataset
    feats, labels = [], []
    model.eval()
    for i in range(len(ds)):
        item = ds[i]
        data = model.data_preprocessor(
            dict(inputs=[item['inputs']], data_samples=[item['data_samples']]), False)
        feats.append(model.pooled_features(data['inputs'])[0].mean(0))
        labels.append(int(item['data_samples'].gt_label))
    ref = recall_at_k(torch.stack(feats), torch.tensor(labels), topk=(1, 5))
    assert hook.last['knn/R@1'] == pytest.approx(ref['R@1'])
    assert hook.last['knn/R@5'] == pytest.approx(ref['R@5'])
    runner.epoch = 2  # epoch 3: not a multiple of 2, not the last -> skipped
    hook.after_train_epoch(runner)
    assert len(logged) == 1
