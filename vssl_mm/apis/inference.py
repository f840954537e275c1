"""Videos in, feature vectors out, with a pretrained vssl_mm backbone.

    >>> from vssl_mm.apis import init_model, extract_features
    >>> model = init_model('configs/benchmarks/retrieval/r3d18_ucf101.py', 'epoch_200.pth')
    >>> feats = extract_features(model, ['a.mp4', 'b.mp4'])   # (2, 512)

- :func:`init_model` builds a :class:`~vssl_mm.models.VideoFeatureExtractor` from the
  ``model.backbone`` (and the mean/std of ``model.data_preprocessor``) of any config:
  a pretraining config of any method, a retrieval / linear-probe / fine-tune benchmark
  config. It loads algorithm checkpoints (``backbone.*`` tensors; necks, heads, queues,
  momentum encoders are left out) and backbone-only files written by
  ``tools/model_converters/extract_backbone.py`` (keys of the backbone itself), through
  mmengine's loader with ``weights_only=True`` (docs/design.md, pitfall 3). A checkpoint that
  does not fill every backbone tensor is refused with :class:`CheckpointMismatchError`.
- :func:`extract_features` runs the retrieval benchmark's test preprocessing
  (:func:`build_inference_pipeline`) and returns the mean of the pooled clip features of
  each video, exactly what :class:`~vssl_mm.evaluation.RetrievalMetric` averages.
"""
import copy
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log

VideoInput = Union[str, np.ndarray]

#: Test preprocessing used when the config has none (the retrieval benchmark's, see
#: ``configs/benchmarks/retrieval/_base_/retrieval.py``): ``num_clips`` uniformly spaced
#: clips of ``clip_len`` frames (``clip_len`` from the config's top-level ``clip_len``,
#: else 16; frame interval 1), short side resized to 128, centre crop 112.
DEFAULT_SPATIAL = [dict(type='Resize', scale=(-1, 128)), dict(type='CenterCrop', crop_size=112)]

_PIPELINE_KEYS = ('test_dataloader', 'val_dataloader')


class CheckpointMismatchError(ValueError):
    """The checkpoint does not hold the backbone's tensors (none, or not all of them)."""


# ----------------------------------------------------------------------------- model
def _as_config(config: Union[str, Config, dict]) -> Config:
    if isinstance(config, str):
        return Config.fromfile(config)
    if isinstance(config, Config):
        return copy.deepcopy(config)
    if isinstance(config, dict):
        return Config(copy.deepcopy(config))
    raise TypeError(f'config must be a path or a Config, got {type(config)}')


def _feature_preprocessor(model_cfg: dict) -> dict:
    """A ``MultiViewDataPreprocessor`` with the model's own mean/std (if it has them)."""
    dp = dict(model_cfg.get('data_preprocessor', None) or {})
    out = dict(type='MultiViewDataPreprocessor')
    for key in ('mean', 'std'):
        if dp.get(key, None) is not None:
            out[key] = list(dp[key])
    return out


def _state_dict_of(checkpoint: Any, filename: str) -> Dict[str, torch.Tensor]:
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) \
        else None
    if not isinstance(state, dict):
        raise CheckpointMismatchError(
            f'"{filename}" is not a dict of tensors (nor has a "state_dict" entry)')
    return {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state.items() if isinstance(v, torch.Tensor)
    }


def select_backbone_weights(state: Dict[str, torch.Tensor],
                            backbone: torch.nn.Module,
                            filename: str = 'checkpoint') -> Dict[str, torch.Tensor]:
    """Backbone tensors of ``state`` under the backbone's own names.

    ``backbone.*`` keys (algorithm checkpoints of every method; other prefixes such as
    ``key_backbone.``, ``neck.``, ``head.``, queues are dropped) take precedence; otherwise
    the keys of an exported backbone-only file are used as they are. Raises
    :class:`CheckpointMismatchError` when a backbone tensor is missing or of another
    shape, or when nothing matches.
    """
    own = backbone.state_dict()
    if any(k.startswith('backbone.') for k in state):
        kind = 'algorithm checkpoint ("backbone.*" tensors)'
        picked = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    else:
        kind = 'backbone-only checkpoint'
        picked = {k: v for k, v in state.items() if k in own}
        if not picked:
            tops = sorted({k.split('.')[0] for k in state})[:10]
            raise CheckpointMismatchError(
                f'"{filename}" holds no backbone tensor: no "backbone.*" key and no key of '
                f'the {type(backbone).__name__} backbone itself (top-level names found: '
                f'{tops}). Pass a vssl_mm pretraining checkpoint or a file written by '
                'tools/model_converters/extract_backbone.py, with the config it was '
                'trained with; features from random weights are never returned silently.')
    missing = [k for k in own if k not in picked]
    wrong = [
        f'{k}: checkpoint {tuple(picked[k].shape)} vs model {tuple(own[k].shape)}' for k in own
        if k in picked and picked[k].shape != own[k].shape
    ]
    if missing or wrong:
        raise CheckpointMismatchError(
            f'"{filename}" ({kind}) does not fit the {type(backbone).__name__} of this '
            f'config: {len(missing)} of {len(own)} backbone tensors missing '
            f'{missing[:5]}, {len(wrong)} of another shape {wrong[:3]}. Use the config '
            'the checkpoint was trained with.')
    return {k: picked[k] for k in own}


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: Union[str, torch.device, None] = None) -> torch.nn.Module:
    """Build a feature extractor from a config and load a checkpoint into its backbone.

    Args:
        config: path or :class:`~mmengine.config.Config` of any vssl_mm pretraining or
            benchmark config (its ``model.backbone`` is used, and the ``mean``/``std`` of
            ``model.data_preprocessor`` when present).
        checkpoint: algorithm checkpoint of any method or exported backbone-only file.
            ``None`` keeps random weights (a warning is logged).
        device: e.g. ``'cpu'`` or ``'cuda:0'``; ``None`` (default) takes ``'cuda'`` when
            a GPU is visible, else ``'cpu'``.

    Returns:
        a :class:`~vssl_mm.models.VideoFeatureExtractor` in eval mode on ``device``, with
        the config attached as ``model.cfg`` (its test pipeline is used by
        :func:`extract_features`).
    """
    from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

    from vssl_mm.registry import MODELS
    from vssl_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = _as_config(config)
    if 'model' not in cfg or 'backbone' not in cfg.model:
        raise ValueError('init_model: the config has no model.backbone')
    model_cfg = dict(
        type='VideoFeatureExtractor',
        backbone=copy.deepcopy(cfg.model.backbone),
        data_preprocessor=_feature_preprocessor(cfg.model))
    if cfg.model.get('type', None) == 'VideoFeatureExtractor':
        for key in ('feature_stage', 'feature_pool'):
            if key in cfg.model:
                model_cfg[key] = cfg.model[key]
    model = MODELS.build(model_cfg)
    if checkpoint is None:
        print_log(
            'init_model: no checkpoint, the backbone keeps random weights',
            logger='current',
            level=30)
    else:
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')  # weights_only=True
        weights = select_backbone_weights(
            _state_dict_of(ckpt, checkpoint), model.backbone, checkpoint)
        _load_checkpoint_to_model(
            model, dict(state_dict={
                'backbone.' + k: v
                for k, v in weights.items()
            }), strict=True)
    model.cfg = cfg
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    model.to(device)
    model.eval()
    return model


# ----------------------------------------------------------------------------- pipeline
def _config_pipeline(cfg: Config) -> Optional[List[dict]]:
    """The config's multi-clip test pipeline (test, then val dataloader), if any."""
    for key in _PIPELINE_KEYS:
        loader = cfg.get(key, None)
        pipeline = (loader or {}).get('dataset', {}).get('pipeline', None)
        if pipeline and any(t.get('type') == 'PackMultiViewInputs' for t in pipeline) \
                and any(t.get('type') == 'UniformClipsSampler' for t in pipeline):
            return copy.deepcopy(list(pipeline))
    return None


def default_pipeline(clip_len: int = 16, num_clips: int = 10) -> List[dict]:
    """The retrieval protocol's test pipeline (see :data:`DEFAULT_SPATIAL`)."""
    return [
        dict(type='VideoOpen'),
        dict(type='UniformClipsSampler', clip_len=clip_len, frame_interval=1, num_clips=num_clips),
        dict(type='MultiViewDecode'),
        dict(type='ViewsApply', transforms=copy.deepcopy(DEFAULT_SPATIAL)),
        dict(type='PackMultiViewInputs', meta_keys=('filename', ))
    ]


def build_inference_pipeline(cfg: Optional[Config] = None,
                             clip_len: Optional[int] = None,
                             num_clips: Optional[int] = 10) -> List[dict]:
    """Pipeline config (list of dicts) turning a video into ``(V, C, T, H, W)`` uint8 clips.

    The config's ``test_dataloader`` (else ``val_dataloader``) pipeline when it is a
    vssl_mm multi-clip one (``UniformClipsSampler`` ... ``PackMultiViewInputs``), as in
    ``configs/benchmarks/retrieval/*.py``: the features then equal what the retrieval
    benchmark computes. Otherwise :func:`default_pipeline` with ``clip_len`` from the
    config's top-level ``clip_len`` (else 16). ``clip_len`` / ``num_clips`` (not None)
    override the sampler's values.
    """
    pipeline = _config_pipeline(cfg) if cfg is not None else None
    if pipeline is None:
        cfg_len = cfg.get('clip_len', None) if cfg is not None else None
        pipeline = default_pipeline(
            int(cfg_len) if isinstance(cfg_len, int) else 16,
            10 if num_clips is None else num_clips)
    for t in pipeline:
        if t.get('type') == 'UniformClipsSampler':
            if clip_len is not None:
                t['clip_len'] = int(clip_len)
            if num_clips is not None:
                t['num_clips'] = int(num_clips)
        if t.get('type') == 'PackMultiViewInputs':
            t['meta_keys'] = ('filename', )
            t.pop('extra_view_keys', None)
    return pipeline


class _ArrayReader:
    """A decord-like reader over a decoded ``(T, H, W, 3)`` uint8 RGB array."""

    class _Batch:

        def __init__(self, arr: np.ndarray) -> None:
            self._arr = arr

        def asnumpy(self) -> np.ndarray:
            return self._arr

    def __init__(self, frames: np.ndarray) -> None:
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def get_batch(self, inds: Sequence[int]) -> '_ArrayReader._Batch':
        return self._Batch(self.frames[np.asarray(inds, dtype=np.int64)])


class VideoClips:
    """Callable turning a video path or a decoded array into ``(V, C, T, H, W)`` uint8.

    Picklable (DataLoader workers). Paths go through the whole pipeline; a decoded
    ``(T, H, W, 3)`` uint8 RGB array skips ``VideoOpen`` and is read by
    ``MultiViewDecode`` like a decord reader, so both give the same clips.
    """

    def __init__(self, pipeline: List[dict]) -> None:
        from vssl_mm.registry import TRANSFORMS
        from vssl_mm.utils import register_all_modules
        register_all_modules(init_default_scope=False)
        self.pipeline_cfg = copy.deepcopy(pipeline)
        opens = [i for i, t in enumerate(pipeline) if t.get('type') == 'VideoOpen']
        built = [TRANSFORMS.build(t) for t in pipeline]
        cut = opens[0] + 1 if opens else 0
        self.open = Compose(built[:cut])
        self.rest = Compose(built[cut:])

    @staticmethod
    def check_array(video: np.ndarray) -> None:
        if video.ndim != 4 or video.shape[-1] != 3 or video.dtype != np.uint8:
            raise ValueError('a decoded video must be a (T, H, W, 3) uint8 RGB array, '
                             f'got {video.dtype} {video.shape}')
        if len(video) == 0:
            raise ValueError('the decoded video has no frames')

    def __call__(self, video: VideoInput) -> torch.Tensor:
        if isinstance(video, np.ndarray):
            self.check_array(video)
            results = dict(
                filename='<array>',
                video_reader=_ArrayReader(video),
                total_frames=len(video),
                label=-1,
                start_index=0)
            out = self.rest(results)
        else:
            results = dict(filename=str(video), label=-1, start_index=0)
            out = self.open(results)
            out = self.rest(out) if out is not None else None
        if out is None:
            name = video if isinstance(video, str) else '<array>'
            raise IOError(f'the pipeline skipped "{name}"')
        return out['inputs']


# ----------------------------------------------------------------------------- features
@torch.no_grad()
def clip_features(model: torch.nn.Module,
                  clips: torch.Tensor,
                  batch_size: int = 10,
                  stage: int = -1,
                  pool: str = 'avg') -> torch.Tensor:
    """``(V, C, T, H, W)`` uint8 clips of one video -> ``(V, D)`` pooled features.

    Normalised by the model's data preprocessor, run through the backbone
    ``batch_size`` clips at a time; stage ``stage`` of the backbone's outputs is pooled
    with :func:`~vssl_mm.models.necks.projection.pool_features` (``'avg'``, ``'max'``;
    ``'spatial'``/``'none'`` are flattened).
    """
    from vssl_mm.models.necks.projection import pool_features
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    data = model.data_preprocessor(dict(inputs=[clips], data_samples=None), False)
    x = data['inputs'][0]  # (V, C, T, H, W) float
    out = []
    for i in range(0, x.shape[0], batch_size):
        feats = model.extract_feat(x[i:i + batch_size])
        try:
            f = feats[stage]
        except IndexError:
            raise IndexError(f'stage {stage} out of range: the backbone returns '
                             f'{len(feats)} stage(s) (set model.backbone.out_indices in '
                             'the config to get others)') from None
        out.append(pool_features(f, pool).flatten(1))
    return torch.cat(out).float().cpu()


def extract_features(model: torch.nn.Module,
                     videos: Union[VideoInput, Sequence[VideoInput]],
                     clip_len: Optional[int] = None,
                     num_clips: int = 10,
                     batch_size: int = 10,
                     stage: int = -1,
                     pool: str = 'avg',
                     per_clip: bool = False,
                     pipeline: Optional[List[dict]] = None) -> np.ndarray:
    """Feature vectors of videos (paths or decoded ``(T, H, W, 3)`` uint8 RGB arrays).

    Preprocessing is :func:`build_inference_pipeline` of ``model.cfg`` (the retrieval
    config's test pipeline, else ``num_clips`` uniform clips, short side 128, centre crop
    112), the normalisation is the model's, and each video's vector is the mean of its
    clips' pooled features: with a retrieval config, the numbers
    :class:`~vssl_mm.evaluation.RetrievalMetric` ranks.

    Args:
        model: from :func:`init_model`.
        videos: one video or a list of them.
        clip_len: frames per clip (``None``: the pipeline's).
        num_clips: clips per video (``None``: the pipeline's; 10 in the benchmarks).
        batch_size: clips per forward pass.
        stage: index into the backbone's output stages.
        pool: ``'avg'`` (as the benchmark) or ``'max'``.
        per_clip: return every clip's vector instead of the video mean.
        pipeline: a pipeline config to use instead (list of dicts ending with
            ``PackMultiViewInputs``).

    Returns:
        ``(N, D)`` float32 (``(N, V, D)`` with ``per_clip``); for a single video given
        on its own, ``(D,)`` (``(V, D)``). A video that cannot be read raises an error
        naming it.
    """
    single = isinstance(videos, str) or (isinstance(videos, np.ndarray) and videos.ndim == 4)
    items = [videos] if single else list(videos)
    if pipeline is None:
        pipeline = build_inference_pipeline(getattr(model, 'cfg', None), clip_len, num_clips)
    prepare = VideoClips(pipeline)
    for video in items:
        if isinstance(video, np.ndarray):
            VideoClips.check_array(video)
    out = []
    for video in items:
        try:
            clips = prepare(video)
        except Exception as e:
            name = video if isinstance(video, str) else f'array #{len(out)}'
            raise IOError(f'cannot read video {name}: {e}') from e
        f = clip_features(model, clips, batch_size, stage, pool)
        out.append(f if per_clip else f.mean(0))
    feats = torch.stack(out).numpy().astype(np.float32)
    return feats[0] if single else feats


def video_key(path: str) -> str:
    """Stable relative name for a video path (``a/b.mp4`` -> ``a/b``), for output files."""
    norm = osp.normpath(path).replace('\\', '/')
    parts = [p for p in norm.split('/') if p not in ('', '.', '..')]
    return osp.splitext('/'.join(parts))[0]


__all__ = [
    'CheckpointMismatchError', 'init_model', 'extract_features', 'build_inference_pipeline',
    'default_pipeline', 'clip_features', 'select_backbone_weights', 'VideoClips', 'video_key'
]
