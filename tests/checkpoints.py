"""A perturbed ClipContrast checkpoint and its exported backbone, shared by the tests of
vssl_mm.apis and tools/extract_features.py."""
import importlib.util
import os.path as osp
from typing import Dict, List, Optional

import torch

from tests.conftest import REPO

SIMCLR = osp.join(REPO, 'configs/simclr/r3d18_synthetic.py')
RETRIEVAL = osp.join(REPO, 'configs/benchmarks/retrieval/r3d18_synthetic.py')


def build_model(config: str) -> torch.nn.Module:
    """The config's `model`, built through vssl_mm's registry."""
    from mmengine.config import Config

    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    return MODELS.build(Config.fromfile(config).model)


def perturb(model: torch.nn.Module, seed: Optional[int] = 1) -> torch.nn.Module:
    """Move every weight and BN running mean off its init, so a loaded model is told
    apart from a freshly built one. ``seed=None`` draws from the current RNG state."""
    if seed is not None:
        torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
        for name, b in model.named_buffers():
            if name.endswith('running_mean'):
                b.uniform_(-0.5, 0.5)
    return model


def write_checkpoints(directory: str) -> Dict[str, object]:
    """Save a perturbed ClipContrast as an mmengine checkpoint (`algo`) and as the
    backbone-only file of tools/model_converters/extract_backbone.py (`bare`)."""
    model = perturb(build_model(SIMCLR))
    algo = osp.join(directory, 'epoch_1.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), algo)
    spec = importlib.util.spec_from_file_location(
        'extract_backbone', osp.join(REPO, 'tools/model_converters/extract_backbone.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    state, _ = mod.extract_backbone(dict(state_dict=model.state_dict()))
    bare = osp.join(directory, 'backbone.pth')
    torch.save(dict(state_dict=state), bare)
    return dict(algo=algo, bare=bare, model=model)


def video_paths(data: dict, split: str = 'val') -> List[str]:
    """The video files of one split of the `synthetic_data` fixture, in list order."""
    with open(data[split]) as f:
        return [osp.join(data['root'], line.split()[0]) for line in f if line.strip()]
