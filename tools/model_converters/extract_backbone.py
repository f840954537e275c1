"""Export the backbone of a vssl_mm checkpoint for mmaction2 (docs/design.md, pitfall 7).

    python tools/model_converters/extract_backbone.py SSL_CKPT OUT
        [--format recognizer|backbone] [--config SSL_CONFIG] [--target auto|mmaction|vssl_mm]
        [--mmaction-config OUT_CONFIG.py [--num-classes N]] [--prefix backbone.]

Writes ``{'state_dict': {...}, 'meta': {...}}`` holding the backbone's tensors only:
momentum/key encoders (``key_backbone.``, ``momentum_*``, ``ema_*``), necks, heads, queues
and optimizer state are dropped; a checkpoint without any backbone tensor is refused.
Loading keeps ``weights_only=True``; the output holds tensors and plain Python values only.

``--format``:

* ``recognizer`` (default): keys ``backbone.conv1.conv.weight``, ... as in any mmaction2
  recognizer checkpoint: ``mmaction.apis.init_recognizer(cfg, OUT, device='cpu')`` and
  ``load_from=OUT`` load it. vssl_mm's ``ResNet3dSSL``, ``ResNet2Plus1dSSL``,
  ``C3DTrunk`` and ``SlowFastLevels`` also accept it as ``model.backbone.pretrained=OUT``.
* ``backbone``: the backbone's own names (``conv1.conv.weight``, ...), what
  ``model.backbone.pretrained=OUT`` (with ``pretrained2d=False``) loads into mmaction2's
  ``ResNet3d`` / ``ResNet2Plus1d`` / ``C3D`` / ``ResNet3dSlowFast``.

With the pretraining config (read from the checkpoint's ``meta['cfg']``, which mmengine
Runners write, or given as ``--config``) the backbone is mapped to an mmaction2 backbone
(``vssl_mm.models.mmaction_export``), its parameter names and shapes are checked against
the exported tensors, the mapped config is recorded in ``meta['mmaction_backbone']`` and
printed, and ``--mmaction-config`` writes a ``Recognizer3D`` config that loads OUT.
See docs/export_to_mmaction2.md.
"""
import argparse
import os
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from vssl_mm.models.mmaction_export import (FORMATS, TARGETS, ExportError, NoBackboneError,
                                            check_backbone_state, dump_recognizer_config,
                                            extract_backbone, format_cfg, format_state_dict,
                                            mmaction_backbone_cfg, normalization_of, plain,
                                            recognizer_cfg)
from vssl_mm.utils.compat import safe_torch_load  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='vssl_mm checkpoint (e.g. epoch_300.pth)')
    parser.add_argument('out', help='output backbone-only checkpoint (.pth)')
    parser.add_argument(
        '--format',
        default='recognizer',
        choices=FORMATS,
        help="key layout: 'recognizer' (default) = backbone.* keys for "
        "init_recognizer / load_from; 'backbone' = bare keys for "
        'model.backbone.pretrained')
    parser.add_argument(
        '--prefix', default='backbone.', help='name prefix of the backbone in the checkpoint')
    parser.add_argument(
        '--config',
        help='the pretraining config (default: the one the '
        "checkpoint records in meta['cfg'], as mmengine Runners write)")
    parser.add_argument(
        '--target',
        default='auto',
        choices=TARGETS,
        help="backbone type of the mmaction2 config: 'auto' = mmaction2's "
        "own type where it computes the same features, else vssl_mm's; "
        "'mmaction' (e.g. mmaction2's C3D for a full-width C3D trunk) or "
        "'vssl_mm' to choose")
    parser.add_argument(
        '--mmaction-config',
        metavar='PATH',
        help='also write an mmaction2 Recognizer3D config (model only) '
        'that loads OUT with init_recognizer / load_from')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=400,
        help='num_classes of the head in --mmaction-config (default 400)')
    return parser.parse_args(argv)


def load_ssl_config(args: argparse.Namespace, ckpt: dict):
    """``(Config or None, where it came from)``."""
    from mmengine.config import Config
    if args.config:
        return Config.fromfile(args.config), args.config
    text = ckpt.get('meta', {}).get('cfg') if isinstance(ckpt, dict) and \
        isinstance(ckpt.get('meta'), dict) else None
    if isinstance(text, str) and text.strip():
        try:
            return Config.fromstring(text, '.py'), "the checkpoint's meta['cfg']"
        except Exception as e:  # an unparsable text: export anyway, say so
            print(
                f"extract_backbone: warning: meta['cfg'] does not parse ({e}); pass "
                '--config to map the backbone to mmaction2',
                file=sys.stderr)
    return None, None


def _usage(args: argparse.Namespace, backbone_cfg, note) -> str:
    lines = []
    if args.format == 'recognizer':
        cfg = args.mmaction_config or 'CONFIG'
        lines += [
            'Load it with mmaction2 (keys backbone.*, as in recognizer checkpoints):',
            f"  init_recognizer('{cfg}', '{args.out}', device='cpu')  "
            '# from mmaction.apis import init_recognizer',
            f"  load_from = '{args.out}'  # in a config, tools/train.py / test.py",
            "  (vssl_mm's ResNet3dSSL / ResNet2Plus1dSSL / C3DTrunk / SlowFastLevels "
            'also take it as model.backbone.pretrained)'
        ]
    else:
        lines += [
            'Load it as the backbone\'s own weights (bare keys):',
            f"  model.backbone.pretrained='{args.out}' (mmaction2's ResNet3d family: "
            'with pretrained2d=False)', '  (init_recognizer / load_from need --format recognizer)'
        ]
    if backbone_cfg is not None:
        text = 'backbone=' + format_cfg(backbone_cfg, 0)
        lines += [f'mmaction2 backbone ({note}):'] + ['  ' + t for t in text.splitlines()]
    else:
        lines += [
            '(no pretraining config: pass --config to get the matching mmaction2 '
            'backbone config and a check of the tensors against it)'
        ]
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    ckpt = safe_torch_load(args.checkpoint, map_location='cpu')
    try:
        state, stats = extract_backbone(ckpt, args.prefix)
    except NoBackboneError as e:
        sys.exit(f'extract_backbone: refused "{args.checkpoint}": {e}')
    ssl_cfg, cfg_source = load_ssl_config(args, ckpt)
    if args.mmaction_config and ssl_cfg is None:
        sys.exit('extract_backbone: --mmaction-config needs the pretraining config: the '
                 "checkpoint records none (meta['cfg']); pass --config SSL_CONFIG")
    backbone_cfg = note = None
    ssl_backbone = ssl_cfg.get('model', {}).get('backbone') if ssl_cfg is not None else None
    if ssl_backbone is not None:
        ssl_backbone = ssl_backbone.to_dict() if hasattr(ssl_backbone, 'to_dict') \
            else dict(ssl_backbone)
        try:
            backbone_cfg, note = mmaction_backbone_cfg(ssl_backbone, args.target)
            check_backbone_state(backbone_cfg, state)
        except ExportError as e:
            if 'no mmaction2 mapping' in str(e) and not args.mmaction_config:
                print(f'extract_backbone: warning: {e}', file=sys.stderr)
                backbone_cfg = None
            else:
                sys.exit(f'extract_backbone: refused: {e} (config: {cfg_source})')
    if args.mmaction_config and backbone_cfg is None:
        sys.exit('extract_backbone: --mmaction-config needs model.backbone in the '
                 f'pretraining config ({cfg_source})')
    mean, std, norm_source = normalization_of(ckpt,
                                              ssl_cfg.to_dict() if ssl_cfg is not None else None)
    meta = dict(
        source=osp.abspath(args.checkpoint),
        prefix=args.prefix,
        format=args.format,
        num_tensors=stats['written'],
        key_prefix='backbone.' if args.format == 'recognizer' else '',
        mean=mean,
        std=std,
        normalization_from=norm_source)
    if isinstance(ckpt, dict) and isinstance(ckpt.get('meta'), dict):
        for k in ('epoch', 'iter'):
            if isinstance(ckpt['meta'].get(k), int):
                meta[k] = ckpt['meta'][k]
    if ssl_backbone is not None:
        meta['ssl_backbone'] = plain(ssl_backbone)
    if backbone_cfg is not None:
        meta['mmaction_backbone'] = plain(backbone_cfg)
        meta['mmaction_backbone_note'] = note
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=format_state_dict(state, args.format), meta=meta), args.out)
    n_params = sum(v.numel() for v in state.values())
    print(f'Wrote {stats["written"]} backbone tensors ({n_params / 1e6:.2f}M values) to '
          f'{args.out} (format {args.format!r}); dropped {stats["dropped"]} '
          'non-backbone tensors.')
    if args.mmaction_config:
        if args.format != 'recognizer':
            print(
                'extract_backbone: note: the config\'s load_from needs --format '
                'recognizer; with bare keys set model.backbone.pretrained instead',
                file=sys.stderr)
        model = recognizer_cfg(backbone_cfg, args.num_classes, mean, std)
        os.makedirs(osp.dirname(osp.abspath(args.mmaction_config)), exist_ok=True)
        dump_recognizer_config(args.mmaction_config, model, args.out, note, source=args.checkpoint)
        print(f'Wrote the mmaction2 config {args.mmaction_config} '
              f'({model["cls_head"]["type"]} in_channels='
              f'{model["cls_head"]["in_channels"]}, num_classes={args.num_classes}; '
              f'normalisation from the {norm_source}).')
    print(_usage(args, backbone_cfg, note))


if __name__ == '__main__':
    main()
