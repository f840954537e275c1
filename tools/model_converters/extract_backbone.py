"""Export the backbone of a vssl_mm checkpoint for mmaction2 (DESIGN.md pitfall 7).

    python tools/model_converters/extract_backbone.py SSL_CKPT OUT [--prefix backbone.]

Writes ``{'state_dict': {...}, 'meta': {...}}`` whose keys are the backbone's own
parameter names (``conv1.conv.weight``, ...), exactly what mmaction2's
``ResNet3d(pretrained=OUT, pretrained2d=False)`` (and ``vssl_mm.ResNet3dSSL``,
``ResNet2Plus1dSSL``, ``C3DTrunk``, ``S3D``) load. Only tensors under ``--prefix`` are
kept: momentum/key encoders (``key_backbone.``, ``momentum_*``, ``ema_*``), necks, heads,
queues and optimizer state are dropped. A checkpoint without any backbone tensor is
refused with a clear message. Loading keeps ``weights_only=True``.

Use the output with
``python tools/train.py configs/benchmarks/finetune/... --cfg-options
model.backbone.pretrained=OUT``.
"""
import argparse
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, Tuple

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from vssl_mm.utils.compat import safe_torch_load  # noqa: E402


class NoBackboneError(ValueError):
    """The checkpoint holds no tensor under the backbone prefix."""


def extract_backbone(checkpoint: dict, prefix: str = 'backbone.'
                     ) -> Tuple['OrderedDict[str, torch.Tensor]', Dict[str, int]]:
    """Return ``(backbone_state_dict, stats)`` from a loaded checkpoint dict.

    ``stats`` counts ``written`` and ``dropped`` tensors. ``module.`` (DDP) prefixes are
    stripped first. Raises :class:`NoBackboneError` when nothing matches ``prefix``.
    """
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) \
        else None
    if not isinstance(state, dict):
        raise NoBackboneError('the checkpoint is not a dict of tensors (nor has a '
                              '"state_dict" entry); nothing to export')
    out: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    dropped = 0
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            continue
        k = key[len('module.'):] if key.startswith('module.') else key
        if k.startswith(prefix):
            out[k[len(prefix):]] = value.detach().clone()
        else:
            dropped += 1
    if not out:
        heads = sorted({k.split('.')[0] for k in state})[:10]
        raise NoBackboneError(
            f'no tensor whose name starts with "{prefix}" in this checkpoint, so it holds '
            f'no backbone to export. Top-level names found: {heads}. Pass --prefix if the '
            'backbone is stored under another name (e.g. --prefix encoder_q.backbone.); '
            'an already exported backbone-only file can be used as it is.')
    return out, dict(written=len(out), dropped=dropped)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='vssl_mm checkpoint (e.g. epoch_300.pth)')
    parser.add_argument('out', help='output backbone-only checkpoint (.pth)')
    parser.add_argument('--prefix', default='backbone.',
                        help='name prefix of the backbone in the checkpoint')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    ckpt = safe_torch_load(args.checkpoint, map_location='cpu')
    try:
        state, stats = extract_backbone(ckpt, args.prefix)
    except NoBackboneError as e:
        sys.exit(f'extract_backbone: refused "{args.checkpoint}": {e}')
    meta = dict(source=osp.abspath(args.checkpoint), prefix=args.prefix,
                num_tensors=stats['written'])
    if isinstance(ckpt, dict) and isinstance(ckpt.get('meta'), dict):
        for k in ('epoch', 'iter'):
            if isinstance(ckpt['meta'].get(k), int):
                meta[k] = ckpt['meta'][k]
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=meta), args.out)
    n_params = sum(v.numel() for v in state.values())
    print(f'Wrote {stats["written"]} backbone tensors ({n_params / 1e6:.2f}M values) to '
          f'{args.out}; dropped {stats["dropped"]} non-backbone tensors.')


if __name__ == '__main__':
    main()
