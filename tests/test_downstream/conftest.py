import os.path as osp
import sys

import pytest

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import vssl_mm  # noqa: E402,F401  (stack fixes before mmaction.models)


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    from vssl_mm.datasets import make_synthetic_dataset
    root = tmp_path_factory.mktemp('synthetic')
    make_synthetic_dataset(
        str(root), num_train_per_class=2, num_val_per_class=1, num_frames=32, height=64, width=64)
    return str(root)


@pytest.fixture(scope='session')
def ssl_checkpoint(tmp_path_factory):
    """A ClipContrast checkpoint (mmengine layout) with non-default backbone weights."""
    import torch
    from mmengine.config import Config

    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/simclr/r3d18_synthetic.py'))
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
        for name, b in model.named_buffers():
            if name.endswith('running_mean'):
                b.uniform_(-0.5, 0.5)
    path = str(tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path, model
