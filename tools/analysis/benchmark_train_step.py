"""Time a method's full training step against only the backbone passes it needs.

    python tools/analysis/benchmark_train_step.py CONFIG [--iters N] [--batch B]
        [--input 16x112x112] [--videos ANN_FILE] [--warmup W] [--amp] [--with-cp]
        [--threads N] [--cfg-options k=v ...]

In one process:
1. a real batch is built through the config's own train pipeline and collate function
   (from ``--videos`` or from synthetic mp4 files written to a temp dir);
2. (a) the full step, ``model.train_step(batch, optim_wrapper)``: data preprocessor,
   every backbone pass, heads, losses, queues, momentum updates, backward and optimizer
   step. Forward hooks on every backbone module (the model's ``backbone`` and any copy of
   the same class, e.g. a momentum encoder) record each pass: input shape, keyword
   arguments (temporal-stride overrides) and whether gradients were on;
3. (b) the same backbone passes replayed on random inputs of the recorded shapes (with
   gradient where the method had it, then one backward through all of them); the random
   inputs are made before (b)'s timer starts, as the step's batch exists before (a)'s;
4. the ratio (a)/(b), peak RSS of the process after each phase, CUDA peak per phase.

``--input TxHxW`` rescales every view tensor of the real batch (trilinear) so that the
main views have that size; configs written for 16x112x112 (the paper configs) need no
``--input``. Figures are medians over ``--iters`` timed iterations after ``--warmup``.
"""
import argparse
import contextlib
import os
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction

import vssl_mm  # noqa: F401  (stack fixes before mmaction.models loads)
from vssl_mm.utils import register_all_modules


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='step time vs backbone-passes time')
    p.add_argument('config')
    p.add_argument('--iters', type=int, default=5, help='timed iterations')
    p.add_argument('--warmup', type=int, default=1, help='untimed iterations first')
    p.add_argument('--batch', type=int, default=None, help='batch size (default: config)')
    p.add_argument('--input', default=None, help='TxHxW of the main views, e.g. 16x112x112')
    p.add_argument(
        '--videos',
        default=None,
        help='annotation file of real videos (default: synthetic mp4 in a tmp dir)')
    p.add_argument('--video-root', default=None, help='data prefix for --videos')
    p.add_argument('--frames', type=int, default=160, help='frames per synthetic video')
    p.add_argument('--amp', action='store_true', help='bf16/fp16 autocast (AmpOptimWrapper)')
    p.add_argument('--with-cp', action='store_true', help='backbone activation checkpointing')
    p.add_argument('--device', default=None, help='cpu or cuda (default: cuda if present)')
    p.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch intra-op threads for both (a) and (b) (default: torch\'s)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (MiB; Linux reports KiB)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024.0 if sys.platform != 'darwin' else r / 2**20


def build_batch(cfg: Config, args, tmp: str) -> dict:
    """One real batch from the config's dataset pipeline and collate function."""
    from mmengine.runner import Runner
    if args.videos is None:
        from vssl_mm.datasets import make_synthetic_dataset
        data = make_synthetic_dataset(
            osp.join(tmp, 'videos'),
            num_train_per_class=1,
            num_val_per_class=0,
            num_frames=args.frames,
            height=128,
            width=170,
            seed=0)
        ann, root = data['train'], data['root']
    else:
        ann = args.videos
        root = args.video_root or osp.dirname(osp.abspath(ann))
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.dataset.ann_file = ann
    loader_cfg.dataset.data_prefix = dict(video=root)
    loader_cfg.num_workers = 0
    loader_cfg.persistent_workers = False
    if args.batch is not None:
        loader_cfg.batch_size = args.batch
    loader_cfg.drop_last = False
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    return next(iter(loader))


def rescale_batch(batch: dict, size: List[int]) -> dict:
    """Rescale the main views (N, V, C, T, H, W) and every extra view by the same factors."""
    inputs = batch['inputs']
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    t, h, w = first.shape[-3:]
    fac = (size[0] / t, size[1] / h, size[2] / w)

    def _scale(x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-4]
        c, tt, hh, ww = x.shape[-4:]
        out = (max(1, round(tt * fac[0])), max(1, round(hh * fac[1])), max(1, round(ww * fac[2])))
        y = F.interpolate(
            x.reshape(-1, c, tt, hh, ww).float(), size=out, mode='trilinear', align_corners=False)
        return y.round().clamp(0, 255).to(x.dtype).reshape(*lead, c, *out)

    if isinstance(inputs, (list, tuple)):
        batch['inputs'] = [_scale(x) for x in inputs]
    else:
        batch['inputs'] = _scale(inputs)
    for sample in batch['data_samples']:
        for k, v in list(sample.metainfo.items()):
            if isinstance(v, torch.Tensor) and v.dim() == 5 and v.dtype == torch.uint8:
                sample.set_metainfo({k: _scale(v)})
    return batch


class BackbonePassRecorder:
    """Forward hooks on the backbone modules: records (module, shape, kwargs, grad)."""

    def __init__(self, model: torch.nn.Module) -> None:
        bb = model.backbone
        self.modules = [m for m in model.modules() if type(m) is type(bb)]
        self.calls: List[Dict] = []
        self.enabled = False
        self._handles = [
            m.register_forward_pre_hook(self._hook, with_kwargs=True) for m in self.modules
        ]

    def _hook(self, module, args, kwargs):
        if self.enabled:
            x = args[0] if args else kwargs.get('x', kwargs.get('inputs'))
            kw = {k: v for k, v in kwargs.items() if k not in ('x', 'inputs')}
            self.calls.append(
                dict(
                    module=module,
                    shape=tuple(x.shape),
                    dtype=x.dtype,
                    kwargs=kw,
                    grad=torch.is_grad_enabled()))

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _outputs_sum(out) -> torch.Tensor:
    if isinstance(out, torch.Tensor):
        return out.float().mean()
    return sum(o.float().mean() for o in out)


def replay_inputs(calls: List[Dict], device: str) -> List[torch.Tensor]:
    """Random inputs of the recorded shapes, made before the timed replay (the step's
    inputs exist before its timer starts too)."""
    return [torch.randn(c['shape'], device=device) for c in calls]


def replay_backbone(calls: List[Dict], inputs: List[torch.Tensor], autocast_ctx) -> None:
    """Backbone passes on ``inputs`` (:func:`replay_inputs`), then one backward through
    all of them."""
    total = None
    for c, x in zip(calls, inputs):
        with torch.set_grad_enabled(c['grad']), autocast_ctx():
            out = c['module'](x, **c['kwargs'])
        if c['grad']:
            s = _outputs_sum(out)
            total = s if total is None else total + s
    if total is not None:
        total.backward()
    for c in calls:
        c['module'].zero_grad(set_to_none=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.with_cp:
        cfg.model.backbone.with_cp = True
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    from mmengine.optim import build_optim_wrapper

    from vssl_mm.registry import MODELS
    with tempfile.TemporaryDirectory() as tmp:
        batch = build_batch(cfg, args, tmp)
    if args.input:
        batch = rescale_batch(batch, [int(s) for s in args.input.lower().split('x')])

    model = MODELS.build(cfg.model).to(device)
    model.train()
    if hasattr(model, 'set_stage'):  # staged objectives (mlrep): benchmark the full one
        model.set_stage(mul_on=True, queue_on=True)
    ow_cfg = cfg.optim_wrapper.copy()
    autocast_ctx = contextlib.nullcontext
    if args.amp:
        from vssl_mm.engine.optimizers import amp_optim_wrapper_type
        ow_cfg.type = amp_optim_wrapper_type(device)
    optim_wrapper = build_optim_wrapper(model, ow_cfg)
    if args.amp:
        autocast_ctx = (lambda: optim_wrapper.optim_context(model))

    inputs0 = batch['inputs']
    first = inputs0[0] if isinstance(inputs0, (list, tuple)) else inputs0[0]
    n_samples = len(batch['data_samples'])
    # time the optimizer step and the data preprocessor inside train_step too: both are
    # per-step costs outside the backbone passes (the optimizer's scales with the
    # parameter count, not the batch, so it weighs most at small batches)
    parts = dict(optimizer=0.0, preprocess=0.0)

    def _timed(fn, key):

        def wrapper(*a, **kw):
            _sync(device)
            t = time.perf_counter()
            out = fn(*a, **kw)
            _sync(device)
            parts[key] += time.perf_counter() - t
            return out

        return wrapper

    optim_wrapper.step = _timed(optim_wrapper.step, 'optimizer')
    model.data_preprocessor.forward = _timed(model.data_preprocessor.forward, 'preprocess')
    recorder = BackbonePassRecorder(model)
    rss0 = peak_rss_mib()
    cuda = device.startswith('cuda')
    # the first (warm-up) step records the backbone passes; then step and replay alternate
    # so that load from other jobs on a shared machine hits both alike
    recorder.enabled = True
    losses = model.train_step(batch, optim_wrapper)
    recorder.enabled = False
    calls = recorder.calls
    recorder.remove()
    step_times, bb_times, opt_times, pre_times = [], [], [], []
    cuda_step = cuda_bb = 0.0
    for i in range(args.warmup - 1 + args.iters + (args.warmup == 0)):
        timed = i >= args.warmup - 1
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        _sync(device)
        parts.update(optimizer=0.0, preprocess=0.0)
        t0 = time.perf_counter()
        losses = model.train_step(batch, optim_wrapper)
        _sync(device)
        t1 = time.perf_counter()
        opt_t, pre_t = parts['optimizer'], parts['preprocess']
        if cuda:
            cuda_step = max(cuda_step, torch.cuda.max_memory_allocated() / 2**20)
            torch.cuda.reset_peak_memory_stats()
        rss_step = peak_rss_mib()
        replay_in = replay_inputs(calls, device)
        _sync(device)
        t2 = time.perf_counter()
        replay_backbone(calls, replay_in, autocast_ctx)
        _sync(device)
        t3 = time.perf_counter()
        if cuda:
            cuda_bb = max(cuda_bb, torch.cuda.max_memory_allocated() / 2**20)
        if timed:
            step_times.append(t1 - t0)
            bb_times.append(t3 - t2)
            opt_times.append(opt_t)
            pre_times.append(pre_t)
    rss_bb = peak_rss_mib()

    step = statistics.median(step_times)
    bb = statistics.median(bb_times)
    print(f'config: {args.config}')
    print(f'model: {type(model).__name__}  backbone: {type(model.backbone).__name__}  '
          f'device: {device}  threads: {torch.get_num_threads()}  amp: {args.amp}  '
          f'with_cp: {args.with_cp}')
    print(f'batch: {n_samples} samples, inputs per sample (V, C, T, H, W) '
          f'{tuple(first.shape)}')
    print(f'backbone passes per step: {len(calls)} '
          f'({sum(c["grad"] for c in calls)} with grad)')
    for c in calls:
        kw = f' kwargs={c["kwargs"]}' if c['kwargs'] else ''
        print(f'  pass: {type(c["module"]).__name__} input {c["shape"]} '
              f'grad={c["grad"]}{kw}')
    print('losses: ' + '  '.join(f'{k}={float(v.detach()):.4f}' for k, v in losses.items()))
    print(f'step time (a): {step * 1000:.1f} ms  (median of {len(step_times)}: ' +
          ', '.join(f'{t * 1000:.1f}' for t in step_times) + ')')
    print(f'backbone passes time (b): {bb * 1000:.1f} ms  (median of {len(bb_times)}: ' +
          ', '.join(f'{t * 1000:.1f}' for t in bb_times) + ')')
    opt, pre = statistics.median(opt_times), statistics.median(pre_times)
    print(f'inside (a): optimizer step {opt * 1000:.1f} ms, data preprocessor '
          f'{pre * 1000:.1f} ms')
    print(f'ratio (a)/(b): {step / bb:.3f}')
    # each step and the replay right after it share the machine's load of that moment:
    # the median of the per-iteration ratios is steadier than a ratio of medians when
    # other jobs come and go during the run
    paired = [a / b for a, b in zip(step_times, bb_times)]
    print(f'per-iteration ratios (a_i)/(b_i): median {statistics.median(paired):.3f} (' +
          ', '.join(f'{r:.2f}' for r in paired) + ')')
    print(f'ratio without optimizer step and preprocessor ((a) - opt - pre)/(b): '
          f'{(step - opt - pre) / bb:.3f}')
    print(f'peak RSS: before {rss0:.0f} MiB, after step {rss_step:.0f} MiB, '
          f'after backbone {rss_bb:.0f} MiB')
    if cuda:
        print(f'CUDA peak: step {cuda_step:.0f} MiB, backbone {cuda_bb:.0f} MiB')


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '2')
    main()
