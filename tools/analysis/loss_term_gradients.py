"""Per-term gradients at the backbone: which loss term drives the encoder, and do the
terms pull together?

    python tools/analysis/loss_term_gradients.py CONFIG [--checkpoint CKPT]
        [--batches 8] [--seed 0] [--data-root DIR] [--out FILE.json]
        [--cfg-options KEY=VALUE ...]

For ``--batches`` training batches of the config's own train dataloader (its pipeline,
augmentations and batch size), the model in train mode computes ``model.loss``; every
``loss*`` term that depends on the parameters is differentiated *alone* with respect to
the backbone's parameters. Printed per term: its value, the norm of its backbone
gradient (mean over batches) and the norm relative to the largest term; per pair of
terms: the cosine between their backbone gradients (mean over batches). A term whose
gradient is orders of magnitude smaller than another's, or points against it (cosine
below 0), is not what the encoder learns from. The other logged values of ``model.loss``
(accuracies, ratios) are reported as means.

Without ``--checkpoint`` the model is the random init under ``--seed``; a training
checkpoint of the same config is loaded (strictly) with ``weights_only=True``.
"""
import argparse
import json
import os.path as osp
import sys
from itertools import combinations
from typing import Dict, List

import torch

REPO = osp.abspath(osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
sys.path.insert(0, REPO)

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner, load_checkpoint  # noqa: E402

import vssl_mm  # noqa: E402,F401
from vssl_mm.registry import MODELS  # noqa: E402
from vssl_mm.utils import register_all_modules  # noqa: E402


def term_gradients(model: torch.nn.Module, data: dict) -> dict:
    """One batch: ``{'terms': {name: {'value', 'grad_norm'}}, 'cosine': {'a|b': c},
    'logged': {name: value}}``.

    ``data`` is a batch as the dataloader gives it; the gradient of every ``loss*``
    term of ``model.loss`` alone is taken with respect to ``model.backbone``'s
    parameters (a term that does not reach the backbone has norm 0). The model's own
    parameter gradients are left untouched.
    """
    params = [p for p in model.backbone.parameters() if p.requires_grad]
    data = model.data_preprocessor(data, True)
    losses = model(**data, mode='loss')
    terms, logged = {}, {}
    for name, value in losses.items():
        if isinstance(value, (list, tuple)):
            value = sum(value)
        if 'loss' in name and torch.is_tensor(value) and value.requires_grad:
            terms[name] = value
        elif torch.is_tensor(value) and value.numel() == 1:
            logged[name] = float(value.detach())
    grads: Dict[str, torch.Tensor] = {}
    for name, value in terms.items():
        g = torch.autograd.grad(value, params, retain_graph=True, allow_unused=True)
        grads[name] = torch.cat([
            (gi if gi is not None else torch.zeros_like(p)).reshape(-1).double()
            for gi, p in zip(g, params)
        ])
    cosine = {}
    for a, b in combinations(sorted(grads), 2):
        na, nb = grads[a].norm(), grads[b].norm()
        if na > 0 and nb > 0:
            cosine[f'{a}|{b}'] = float(grads[a] @ grads[b] / (na * nb))
    return dict(
        terms={
            n: dict(value=float(terms[n].detach()), grad_norm=float(grads[n].norm()))
            for n in grads
        },
        cosine=cosine,
        logged=logged)


def _mean(values: List[float]) -> float:
    return sum(values) / len(values)


def summarise(batches: List[dict]) -> dict:
    """Means over batches; ``relative`` = a term's mean norm over the largest one's."""
    names = sorted({n for b in batches for n in b['terms']})
    terms = {}
    for n in names:
        vals = [b['terms'][n] for b in batches if n in b['terms']]
        terms[n] = dict(
            value=_mean([v['value'] for v in vals]),
            grad_norm=_mean([v['grad_norm'] for v in vals]),
            grad_norm_min=min(v['grad_norm'] for v in vals),
            grad_norm_max=max(v['grad_norm'] for v in vals))
    top = max((t['grad_norm'] for t in terms.values()), default=0.0)
    for t in terms.values():
        t['relative'] = t['grad_norm'] / top if top > 0 else 0.0
    pairs = sorted({k for b in batches for k in b['cosine']})
    cosine = {}
    for k in pairs:
        vals = [b['cosine'][k] for b in batches if k in b['cosine']]
        cosine[k] = dict(mean=_mean(vals), min=min(vals), max=max(vals))
    logged = sorted({k for b in batches for k in b['logged']})
    return dict(
        batches=len(batches),
        terms=terms,
        cosine=cosine,
        logged={k: _mean([b['logged'][k] for b in batches if k in b['logged']])
                for k in logged})


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', default=None, help='default: random init under --seed')
    parser.add_argument('--batches', type=int, default=8)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--data-root', default=None, help='replaces the config\'s data_root')
    parser.add_argument('--num-workers', type=int, default=None)
    parser.add_argument('--out', default=None, help='write the summary as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dl = cfg.train_dataloader
    if args.data_root:
        dl.dataset.ann_file = osp.join(args.data_root, 'train.txt')
        dl.dataset.data_prefix = dict(video=args.data_root)
    if args.num_workers is not None:
        dl.num_workers = args.num_workers
        dl.persistent_workers = args.num_workers > 0
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu', strict=True)
    model.train()
    loader = Runner.build_dataloader(dl, seed=args.seed)
    batches = []
    for i, data in enumerate(loader):
        if i == args.batches:
            break
        batches.append(term_gradients(model, data))
    if not batches:
        raise SystemExit(f'{args.config}: the train dataloader gave no batch')
    res = dict(config=args.config, checkpoint=args.checkpoint, seed=args.seed, **summarise(batches))
    print(f'{args.config} ({args.checkpoint or f"random init, seed {args.seed}"}), '
          f'{res["batches"]} batches of the train dataloader; backbone gradient of each term:')
    print(f'{"term":<20} {"value":>9} {"|grad|":>11} {"relative":>9}')
    for n, t in sorted(res['terms'].items(), key=lambda kv: -kv[1]['grad_norm']):
        print(f'{n:<20} {t["value"]:>9.4f} {t["grad_norm"]:>11.4e} {t["relative"]:>9.3f}')
    if res['cosine']:
        print('cosine between term gradients (mean [min, max]):')
        for k, c in res['cosine'].items():
            print(f'  {k:<40} {c["mean"]:+.3f} [{c["min"]:+.3f}, {c["max"]:+.3f}]')
    if res['logged']:
        print('logged: ' + ', '.join(f'{k} {v:.4f}' for k, v in res['logged'].items()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=1)
    return res


if __name__ == '__main__':
    main()
