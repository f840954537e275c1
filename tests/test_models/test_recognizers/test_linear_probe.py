"""A linear-probe step leaves the backbone untouched and moves the head."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from tests.conftest import REPO as ROOT


def test_linear_probe_step_freezes_backbone_and_trains_head():
    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/benchmarks/linear_probe/r3d18_synthetic.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    assert not model.backbone.training  # eval mode although the model trains
    assert all(not m.training for m in model.backbone.modules())
    assert model.cls_head.training
    backbone_before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    head_before = {k: v.clone() for k, v in model.cls_head.state_dict().items()}

    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    from mmaction.structures import ActionDataSample
    torch.manual_seed(0)
    data = dict(
        inputs=[torch.randint(0, 255, (1, 3, 8, 64, 64), dtype=torch.uint8) for _ in range(4)],
        data_samples=[ActionDataSample().set_gt_label(i % 8) for i in range(4)])
    for _ in range(2):
        model.train_step(data, optim)

    after = model.backbone.state_dict()
    for k, v in backbone_before.items():  # weights and BN running statistics
        assert torch.equal(after[k], v), f'backbone tensor {k} changed'
    assert all(p.grad is None for p in model.backbone.parameters())
    head_after = model.cls_head.state_dict()
    assert not torch.equal(head_after['fc_cls.weight'], head_before['fc_cls.weight'])
    assert not torch.equal(head_after['bn.running_mean'], head_before['bn.running_mean'])


def test_finetune_step_does_change_backbone():
    """Control: the same step with the finetune config moves the backbone."""
    from vssl_mm.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, 'configs/benchmarks/finetune/r3d18_synthetic.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    before = {k: v.clone() for k, v in model.backbone.named_parameters()}
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    from mmaction.structures import ActionDataSample
    data = dict(
        inputs=[torch.randint(0, 255, (1, 3, 8, 64, 64), dtype=torch.uint8) for _ in range(4)],
        data_samples=[ActionDataSample().set_gt_label(i % 8) for i in range(4)])
    model.train_step(data, optim)
    assert any(not torch.equal(p, before[k]) for k, p in model.backbone.named_parameters())
