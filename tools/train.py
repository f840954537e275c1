"""Train a vssl_mm model (mmaction2's tools/train.py flags).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher pytorch]
    bash tools/dist_train.sh CONFIG GPUS [args]   # torchrun; gloo on CPU-only machines
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import vssl_mm  # noqa: F401  (applies the stack fixes before mmaction.models loads)
from vssl_mm.utils import register_all_modules
from vssl_mm.utils.compat import adapt_cfg_to_device
from vssl_mm.utils.config_check import add_reliability_hooks, validate_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a vssl_mm model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the latest checkpoint in the work_dir, or from CKPT')
    parser.add_argument('--amp', action='store_true', help='mixed precision training')
    parser.add_argument(
        '--no-validate', action='store_true', help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale lr by actual batch / auto_scale_lr.base_batch_size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed', action='store_true', help='different seeds on different ranks')
    parser.add_argument(
        '--deterministic', action='store_true', help='deterministic cudnn / torch algorithms')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (e.g. model.backbone.depth=34)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--strict-config',
        action='store_true',
        help='stop (instead of warning) when the config has a top-level '
        'key that looks like a typo of a parent key, or reassigns a '
        'variable that does not reach what the parent built from it')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper', 'CPUAmpOptimWrapper'):
            raise ValueError(f'--amp needs OptimWrapper, the config uses {optim_wrapper}')
        # mmengine's AmpOptimWrapper asserts an accelerator: bf16 autocast on CPU instead
        from vssl_mm.engine.optimizers import amp_optim_wrapper_type
        cfg.optim_wrapper.type = amp_optim_wrapper_type()
        if cfg.optim_wrapper.type == 'AmpOptimWrapper':
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    randomness = cfg.get('randomness', dict())
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return adapt_cfg_to_device(cfg, args.launcher)


def report_config_lint(config: str, cfg: Config, strict: bool) -> None:
    """Warn (or stop with ``--strict-config``) on what the child config did not change."""
    from mmengine.logging import print_log

    from vssl_mm.utils.config_lint import lint_child_config
    problems = lint_child_config(config, cfg)
    if problems and strict:
        raise ValueError('config problems (--strict-config):\n' + '\n'.join(problems))
    for p in problems:
        print_log(p + ' (--strict-config makes this an error)', logger='current', level=30)


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    report_config_lint(args.config, cfg, args.strict_config)
    cfg = merge_args(cfg, args)
    # fail fast on impossible values (key=value: why) before anything is built; the
    # reliability hooks (skipped-video counts, RNG state in checkpoints, non-finite loss
    # guard) are added to configs that replaced custom_hooks without them.
    # Checkpoints are written atomically (vssl_mm.utils.compat.patch_atomic_put).
    validate_config(cfg)
    add_reliability_hooks(cfg)
    if args.resume == 'auto':
        _repair_last_checkpoint(cfg.work_dir)
    register_all_modules(init_default_scope=False)
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from vssl_mm.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    runner.train()
    _shutdown_distributed()


def _repair_last_checkpoint(work_dir: str) -> None:
    """A kill while mmengine wrote ``work_dir/last_checkpoint`` (written in place, not
    atomically) can leave it empty or naming a missing file: point it at the newest
    complete checkpoint instead (checkpoint files themselves are written atomically)."""
    import glob
    import re
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return
    with open(marker) as f:
        named = f.read().strip()
    if named and osp.isfile(named):
        return
    ckpts = [
        c for c in glob.glob(osp.join(work_dir, '*.pth'))
        if re.fullmatch(r'(epoch|iter)_\d+\.pth', osp.basename(c))
    ]
    if ckpts:
        newest = max(ckpts, key=lambda c: int(re.findall(r'\d+', osp.basename(c))[0]))
        with open(marker, 'w') as f:
            f.write(newest)
        print(f'last_checkpoint named {named!r}, which does not exist; resuming from '
              f'{newest}')


def _shutdown_distributed() -> None:
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
