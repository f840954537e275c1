"""Exported backbones that plain mmaction2 loads (docs/design.md, pitfalls 1, 7, 8).

``tools/model_converters/extract_backbone.py`` is a thin command line around this module.

* :func:`extract_backbone` takes the backbone's tensors out of a vssl_mm checkpoint.
* :func:`format_state_dict` lays them out for one way of loading (:data:`FORMATS`):
  ``'recognizer'`` keys ``backbone.*`` (what ``mmaction.apis.init_recognizer(cfg, ckpt)``,
  ``load_from=ckpt`` and mmaction2's model zoo use) or ``'backbone'`` bare keys (what
  ``model.backbone.pretrained=ckpt`` loads into mmaction2's ``ResNet3d`` family).
* :func:`mmaction_backbone_cfg` maps the pretraining config's backbone to the backbone of
  a plain mmaction2 ``Recognizer3D`` that holds the same parameters under the same names
  and computes the same features: mmaction2's own type where the architecture matches
  (``ResNet3d``, ``ResNet2Plus1d``, ``ResNet3dSlowFast``; ``C3D`` on request, see below),
  vssl_mm's type otherwise (``vssl_mm.S3D``, ``vssl_mm.C3DTrunk``; such configs need
  ``custom_imports=dict(imports=['vssl_mm'])``).
* :func:`check_backbone_state` builds that backbone (on the ``meta`` device: no memory,
  no compute) and compares its parameter names and shapes with the exported tensors, so
  a mismatch is an error at export time, not random weights at load time.
* :func:`recognizer_cfg` / :func:`dump_recognizer_config` write a ``Recognizer3D``
  config (head sized from the backbone's output) that loads the export as it is.

mmaction2's ``C3D`` has the C3D trunk's parameter names, so a full-width C3D export loads
into it (16 trunk tensors); its ``fc6``/``fc7`` layers are new (random until finetuned)
and its features are fc7's 4096-d output at a fixed 16x112x112 input. ``target='auto'``
therefore keeps ``vssl_mm.C3DTrunk`` (pooled conv features, any input size) and
``target='mmaction'`` gives ``C3D``.
"""
import copy
import inspect
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

#: layouts of the exported state dict
FORMATS = ('recognizer', 'backbone')
#: which backbone type the mmaction2 config gets
TARGETS = ('auto', 'mmaction', 'vssl_mm')
#: parameters of mmaction2's C3D that a C3D trunk does not have
C3D_FC_KEYS = ('fc6.weight', 'fc6.bias', 'fc7.weight', 'fc7.bias')
IMAGENET_MEAN = [123.675, 116.28, 103.53]
IMAGENET_STD = [58.395, 57.12, 57.375]


class NoBackboneError(ValueError):
    """The checkpoint holds no tensor under the backbone prefix."""


class ExportError(ValueError):
    """The backbone cannot be mapped, or its tensors do not fit the mapped backbone."""


# -- tensors --------------------------------------------------------------------------
def extract_backbone(checkpoint: dict,
                     prefix: str = 'backbone.'
                     ) -> Tuple['OrderedDict[str, torch.Tensor]', Dict[str, int]]:
    """Return ``(backbone_state_dict, stats)`` (bare keys) from a loaded checkpoint dict.

    ``stats`` counts ``written`` and ``dropped`` tensors. ``module.`` (DDP) prefixes are
    stripped first. Only tensors under ``prefix`` are kept: momentum/key encoders
    (``key_backbone.``, ``momentum_*``), necks, heads, queues are dropped. Raises
    :class:`NoBackboneError` when nothing matches ``prefix``.
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


def format_state_dict(state: Dict[str, torch.Tensor],
                      fmt: str = 'recognizer') -> 'OrderedDict[str, torch.Tensor]':
    """Bare backbone keys -> the layout ``fmt`` (``'recognizer'``: ``backbone.*``)."""
    if fmt not in FORMATS:
        raise ValueError(f'format must be one of {FORMATS}, got {fmt!r}')
    pre = 'backbone.' if fmt == 'recognizer' else ''
    return OrderedDict((pre + k, v) for k, v in state.items())


def normalization_of(checkpoint: dict,
                     ssl_cfg: Optional[dict] = None) -> Tuple[List[float], List[float], str]:
    """``(mean, std, where)`` of the pretraining's input normalisation (0-255 RGB).

    Read from the checkpoint's ``data_preprocessor.mean/std`` buffers, else from the
    config's ``model.data_preprocessor``, else mmaction2's ImageNet default.
    """
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    mean, std = state.get('data_preprocessor.mean'), state.get('data_preprocessor.std')
    if isinstance(mean, torch.Tensor) and isinstance(std, torch.Tensor) \
            and mean.numel() == std.numel() == 3:
        return ([round(float(v), 6) for v in mean.flatten()],
                [round(float(v), 6) for v in std.flatten()], 'checkpoint')
    pre = (ssl_cfg or {}).get('model', {}).get('data_preprocessor') or {}
    if pre.get('mean') is not None and pre.get('std') is not None:
        return [float(v) for v in pre['mean']], [float(v) for v in pre['std']], 'config'
    return list(IMAGENET_MEAN), list(IMAGENET_STD), 'default'


# -- configs --------------------------------------------------------------------------
def _short_type(t: Any) -> str:
    if isinstance(t, type):
        return t.__name__
    return str(t).split('.')[-1]


def plain(obj: Any) -> Any:
    """A copy made of dict / list / tuple / str / number / bool / None only (what
    ``torch.load(weights_only=True)`` reads back); classes become their names."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain(v) for v in obj) if type(obj) in (list, tuple) \
            else [plain(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, type):
        return obj.__name__
    return repr(obj)


def _defaults(cls: type) -> Dict[str, Any]:
    return {
        n: p.default
        for n, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _explicit(cls: type, cfg: dict) -> Dict[str, Any]:
    """``cls``'s keyword defaults updated with ``cfg`` (minus ``type``)."""
    args = copy.deepcopy(_defaults(cls))
    args.update({k: copy.deepcopy(v) for k, v in cfg.items() if k != 'type'})
    return args


def _without_defaults(cls: type, args: dict, keep: Sequence[str]) -> Dict[str, Any]:
    """``args`` minus the entries equal to ``cls``'s defaults (``keep`` always stays)."""
    d = _defaults(cls)
    return {k: v for k, v in args.items() if k in keep or k not in d or plain(d[k]) != plain(v)}


def _last_stage(cfg: dict, default: int) -> Tuple[int, ...]:
    return (int(cfg.get('num_stages', default)) - 1, )


def _resnet3d(cfg: dict, ssl: bool) -> Dict[str, Any]:
    from mmaction.models.backbones.resnet3d import ResNet3d

    from vssl_mm.models.backbones import ResNet3dSSL
    args = _explicit(ResNet3dSSL if ssl else ResNet3d, cfg)
    if args.get('depth') == 10:
        args['depth'] = 18
        args['stage_blocks'] = args.get('stage_blocks') or (1, 1, 1, 1)
    if args.get('zero_init_residual') is None:  # as ResNet3dSSL decides (pitfall 9)
        norm = str((args.get('norm_cfg') or {}).get('type', ''))
        args['zero_init_residual'] = not norm.startswith('IN')
    for k in ('return_tuple', 'init_cfg'):
        args.pop(k, None)
    args.update(pretrained=None, pretrained2d=False, out_indices=_last_stage(args, 4))
    return dict(
        type='ResNet3d', **_without_defaults(ResNet3d, args, keep=('depth', 'pretrained2d')))


def _resnet2plus1d(cfg: dict, ssl: bool) -> Optional[Dict[str, Any]]:
    from mmaction.models.backbones.resnet2plus1d import ResNet2Plus1d
    from mmaction.models.backbones.resnet3d import ResNet3d

    from vssl_mm.models.backbones import ResNet2Plus1dSSL
    args = _explicit(ResNet2Plus1dSSL if ssl else ResNet2Plus1d, cfg)
    if ssl and args.get('with_pool1', True) is False:
        return None  # mmaction2's ResNet2Plus1d always applies the stem max-pool
    if args.get('depth') == 10:
        args['depth'] = 18
        args['stage_blocks'] = args.get('stage_blocks') or (1, 1, 1, 1)
    conv_cfg = dict(args.get('conv_cfg') or dict(type='Conv2plus1d'))
    conv_cfg['type'] = _short_type(conv_cfg['type'])
    if ssl:  # ResNet2Plus1dSSL uses norm_cfg inside Conv2plus1d too
        conv_cfg.setdefault('norm_cfg', copy.deepcopy(args.get('norm_cfg')))
    args['conv_cfg'] = conv_cfg
    for k in ('return_tuple', 'init_cfg'):
        args.pop(k, None)
    args.update(pretrained=None, pretrained2d=False, out_indices=_last_stage(args, 4))
    return dict(
        type='ResNet2Plus1d',
        **_without_defaults(ResNet3d, args, keep=('depth', 'pretrained2d', 'conv_cfg')))


def _slowfast(cfg: dict) -> Dict[str, Any]:
    args = {
        k: copy.deepcopy(v)
        for k, v in cfg.items()
        if k not in ('type', 'out_indices', 'fusion', 'return_tuple', 'init_cfg')
    }
    args['pretrained'] = None
    return dict(type='ResNet3dSlowFast', **args)


def _c3d_mmaction(cfg: dict) -> Optional[Dict[str, Any]]:
    from vssl_mm.models.backbones import C3DTrunk
    args = _explicit(C3DTrunk, cfg)
    if args['in_channels'] != 3 or args['base_channels'] != 64:
        return None  # mmaction2's C3D has fixed widths (64 ... 512) and RGB input
    out = dict(type='C3D', pretrained=None)
    for k in ('conv_cfg', 'norm_cfg', 'act_cfg'):
        if args.get(k) is not None:
            out[k] = args[k]
    return out


def _vssl_mm(cfg: dict, name: str, last: int) -> Dict[str, Any]:
    out = {
        k: copy.deepcopy(v)
        for k, v in cfg.items() if k not in ('type', 'init_cfg', 'pretrained')
    }
    out.update(out_indices=(last, ), return_tuple=False)
    if name in ('ResNet3dSSL', 'ResNet2Plus1dSSL'):
        out.update(out_indices=_last_stage(out, 4), pretrained2d=False)
    return dict(type=f'vssl_mm.{name}', **out)


def mmaction_backbone_cfg(ssl_backbone: dict, target: str = 'auto') -> Tuple[Dict[str, Any], str]:
    """Backbone config of a plain mmaction2 ``Recognizer3D`` for an exported backbone.

    Args:
        ssl_backbone (dict): ``model.backbone`` of the pretraining config.
        target (str): ``'auto'``: mmaction2's own type where it has the same parameters
            and computes the same features, vssl_mm's otherwise; ``'mmaction'``:
            mmaction2's type or :class:`ExportError`; ``'vssl_mm'``: vssl_mm's type.

    Returns:
        ``(cfg, note)``: the backbone config (one output: the last stage, as a tensor,
        or the ``(slow, fast)`` pair of ``ResNet3dSlowFast``) and a one-line note.
    """
    if target not in TARGETS:
        raise ValueError(f'target must be one of {TARGETS}, got {target!r}')
    cfg = dict(plain(dict(ssl_backbone)))
    name = _short_type(cfg.get('type', ''))
    if name in ('ResNet3dSSL', 'ResNet3d'):
        if target == 'vssl_mm' and name == 'ResNet3dSSL':
            return _vssl_mm(cfg, name, 3), 'vssl_mm.ResNet3dSSL (as pretrained)'
        return (_resnet3d(cfg, name == 'ResNet3dSSL'),
                f"mmaction2's ResNet3d: the parameters and computation of {name}")
    if name in ('ResNet2Plus1dSSL', 'ResNet2Plus1d'):
        mm = None if target == 'vssl_mm' else _resnet2plus1d(cfg, name == 'ResNet2Plus1dSSL')
        if mm is not None:
            return mm, f"mmaction2's ResNet2Plus1d: the parameters and computation of {name}"
        if target == 'mmaction':
            raise ExportError('with_pool1=False has no equivalent in mmaction2\'s '
                              'ResNet2Plus1d (it always max-pools after the stem); use '
                              "target 'auto' or 'vssl_mm'")
        return _vssl_mm(cfg, 'ResNet2Plus1dSSL', 3), 'vssl_mm.ResNet2Plus1dSSL'
    if name in ('SlowFastLevels', 'ResNet3dSlowFast'):
        if target == 'vssl_mm':
            out = _vssl_mm(cfg, 'SlowFastLevels', 3)
            out.pop('fusion', None)
            return out, 'vssl_mm.SlowFastLevels (fused res5 map)'
        return _slowfast(cfg), ("mmaction2's ResNet3dSlowFast (same state dict, returns "
                                'the res5 (slow, fast) pair for SlowFastHead)')
    if name == 'C3DTrunk':
        if target == 'mmaction':
            mm = _c3d_mmaction(cfg)
            if mm is None:
                raise ExportError("mmaction2's C3D has fixed widths (base_channels=64) "
                                  'and 3 input channels; this C3DTrunk differs: use '
                                  "target 'auto' (vssl_mm.C3DTrunk)")
            return mm, ("mmaction2's C3D: the trunk loads; fc6/fc7 are new layers and "
                        'the input must be 16x112x112 (out_dim=8192)')
        return _vssl_mm(cfg, 'C3DTrunk', 4), ('vssl_mm.C3DTrunk (mmaction2\'s C3D adds '
                                              'random fc6/fc7: --target mmaction)')
    if name == 'C3D':
        out = {k: v for k, v in cfg.items() if k not in ('type', 'init_cfg')}
        return dict(type='C3D', **dict(out, pretrained=None)), "mmaction2's C3D"
    if name in ('S3D', 'S3DG'):
        if target == 'mmaction':
            raise ExportError('mmaction2 1.2.0 has no S3D / S3D-G; use target '
                              "'auto' (vssl_mm.S3D with custom_imports)")
        return _vssl_mm(cfg, name, 4), f'vssl_mm.{name} (mmaction2 1.2.0 has no S3D)'
    raise ExportError(f'no mmaction2 mapping is known for backbone type {name!r}; '
                      'export with --format backbone and build the same type')


def is_vssl_mm_type(backbone_cfg: dict) -> bool:
    return str(backbone_cfg.get('type', '')).startswith('vssl_mm.')


# -- checks ---------------------------------------------------------------------------
def _build_on_meta(backbone_cfg: dict) -> torch.nn.Module:
    from mmaction.registry import MODELS
    from mmengine.registry import DefaultScope

    import vssl_mm  # noqa: F401  (stack fixes, vssl_mm types)
    with DefaultScope.overwrite_default_scope('mmaction'), torch.device('meta'):
        return MODELS.build(copy.deepcopy(backbone_cfg))


def check_backbone_state(backbone_cfg: dict, state: Dict[str,
                                                         torch.Tensor]) -> Dict[str, List[str]]:
    """Compare ``state`` (bare keys) with the state dict of ``backbone_cfg``'s backbone.

    Returns ``dict(missing, unexpected, shape)`` (key lists; ``missing`` excludes
    mmaction2 C3D's ``fc6``/``fc7``, reported as ``new``). Raises :class:`ExportError`
    when a tensor of ``state`` has no place or another shape, or when a backbone
    tensor is missing from ``state``.
    """
    own = _build_on_meta(backbone_cfg).state_dict()
    new = [k for k in C3D_FC_KEYS if k in own and k not in state] \
        if _short_type(backbone_cfg['type']) == 'C3D' else []
    missing = [k for k in own if k not in state and k not in new]
    unexpected = [k for k in state if k not in own]
    shape = [
        f'{k}: {tuple(state[k].shape)} vs {tuple(own[k].shape)}' for k in state
        if k in own and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or shape:
        raise ExportError(
            f'the exported tensors do not fit {backbone_cfg["type"]} built from the '
            f'pretraining config: {len(missing)} missing {missing[:5]}, '
            f'{len(unexpected)} unexpected {unexpected[:5]}, {len(shape)} of another '
            f'shape {shape[:3]}. Is --config the config this checkpoint was trained with?')
    return dict(missing=missing, unexpected=unexpected, shape=shape, new=new)


def head_for(backbone_cfg: dict, num_classes: int) -> Dict[str, Any]:
    """An mmaction2 head for the backbone's output, its ``in_channels`` read from a
    forward pass on the ``meta`` device (``I3DHead``; ``SlowFastHead`` for the pair)."""
    model = _build_on_meta(backbone_cfg)
    with torch.no_grad():
        out = model(torch.empty(1, 3, 16, 112, 112, device='meta'))
    head = dict(
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob',
        num_classes=num_classes)
    if isinstance(out, (tuple, list)):
        if len(out) == 2 and _short_type(backbone_cfg['type']) == 'ResNet3dSlowFast':
            return dict(
                type='SlowFastHead', in_channels=int(out[0].shape[1] + out[1].shape[1]), **head)
        out = out[-1]
    return dict(type='I3DHead', in_channels=int(out.shape[1]), **head)


def recognizer_cfg(backbone_cfg: dict,
                   num_classes: int = 400,
                   mean: Sequence[float] = IMAGENET_MEAN,
                   std: Sequence[float] = IMAGENET_STD) -> Dict[str, Any]:
    """``model`` of a plain mmaction2 ``Recognizer3D`` around ``backbone_cfg``."""
    return dict(
        type='Recognizer3D',
        backbone=copy.deepcopy(backbone_cfg),
        cls_head=head_for(backbone_cfg, num_classes),
        data_preprocessor=dict(
            type='ActionDataPreprocessor', mean=list(mean), std=list(std), format_shape='NCTHW'))


def format_cfg(obj: Any, indent: int = 0, width: int = 88) -> str:
    """Python source of a config value: ``dict(type=..., ...)`` in insertion order with
    ``type`` first, on one line when it fits in ``width`` columns."""
    if isinstance(obj, dict):
        items = sorted(obj.items(), key=lambda kv: kv[0] != 'type')
        if all(isinstance(k, str) and k.isidentifier() for k, _ in items):
            parts = [f'{k}={format_cfg(v, indent + 4, width)}' for k, v in items]
            one = 'dict(' + ', '.join(parts) + ')'
            if indent + len(one) <= width and '\n' not in one:
                return one
            pad = ' ' * (indent + 4)
            return 'dict(\n' + ',\n'.join(pad + p for p in parts) + ')'
    return repr(plain(obj))


def dump_recognizer_config(path: str,
                           model: dict,
                           checkpoint: str,
                           note: str,
                           source: str = '') -> None:
    """Write a config file holding ``model`` that ``init_recognizer(path, checkpoint)``
    and ``load_from`` use as it is."""
    body = ''.join([
        "default_scope = 'mmaction'\n",
        "custom_imports = dict(imports=['vssl_mm'], allow_failed_imports=False)\n",
        f'load_from = {checkpoint!r}\n', f'model = {format_cfg(model, 0)}\n'
    ])
    vssl = is_vssl_mm_type(model['backbone'])
    header = [
        '# mmaction2 Recognizer3D for the backbone written by',
        '# tools/model_converters/extract_backbone.py' + (f' from {source}' if source else '') +
        '.',
        f'# Backbone: {note}.',
        '#   from mmaction.apis import init_recognizer',
        f"#   model = init_recognizer('{path}', '{checkpoint}', device='cpu')",
        '# or load_from (set below) with mmaction2 / vssl_mm tools/train.py and test.py.',
        '# custom_imports: ' + ('registers vssl_mm\'s backbone type and ' if vssl else '') +
        'applies the stack fixes',
        '# (import of mmaction.models on the mmaction2 1.2.0 wheel) before the model is built.',
        '# Add data pipelines / dataloaders from any mmaction2 recognition config.',
    ]
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(header) + '\n' + body)
