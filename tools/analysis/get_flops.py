"""Print the parameters and FLOPs of a config's backbone.

Example::

    python tools/analysis/get_flops.py configs/_base_/models/r3d18.py \
        --shape 1 3 16 112 112

FLOPs are counted by ``mmengine.analysis`` (one multiply-add = one FLOP, as in
mmaction2's ``get_flops.py``) for one forward pass on CPU.
"""
import argparse
from typing import Sequence

import torch
from mmengine.config import Config, DictAction

import vssl_mm  # noqa: F401  (stack fixes, registers vssl_mm modules)
from vssl_mm.registry import MODELS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Params and FLOPs of the backbone of a config')
    parser.add_argument('config', help='config file (needs model.backbone)')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=[1, 3, 16, 112, 112],
        help='input shape N C T H W (default: 1 3 16 112 112)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, e.g. model.backbone.depth=34')
    parser.add_argument('--show-table', action='store_true', help='print the per-module table')
    return parser.parse_args()


def backbone_complexity(backbone_cfg: dict, shape: Sequence[int]) -> dict:
    """Build the backbone and return ``dict(params=..., flops=..., outputs=...)``."""
    from mmengine.analysis import get_model_complexity_info
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('vssl_mm'):
        model = MODELS.build(backbone_cfg)
    model.eval()
    inputs = torch.zeros(*shape)
    with torch.no_grad():
        outs = model(inputs)
        outs = outs if isinstance(outs, (tuple, list)) else (outs, )
        info = get_model_complexity_info(
            model, inputs=(inputs, ), show_table=False, show_arch=False)
    return dict(
        params=sum(p.numel() for p in model.parameters()),
        flops=info['flops'],
        outputs=[tuple(o.shape) for o in outs],
        table=info.get('out_table', ''))


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if 'model' not in cfg or 'backbone' not in cfg.model:
        raise SystemExit(f'{args.config} has no model.backbone')
    res = backbone_complexity(cfg.model.backbone.to_dict(), args.shape)
    split = '=' * 40
    print(f'{split}\nConfig: {args.config}\nBackbone: {cfg.model.backbone.type}\n'
          f'Input shape: {tuple(args.shape)}\n'
          f'Params: {res["params"] / 1e6:.2f} M ({res["params"]})\n'
          f'FLOPs: {res["flops"] / 1e9:.2f} G\n'
          f'Outputs: {res["outputs"]}\n{split}')
    if args.show_table:
        print(res['table'])


if __name__ == '__main__':
    main()
