"""A backbone alone, for retrieval and feature extraction.

``predict`` (inherited from :class:`~vssl_mm.models.algorithms.BaseVideoSSL`) attaches the
pooled clip features ``(V, D)`` (one vector per clip) for
:class:`~vssl_mm.evaluation.RetrievalMetric`. It loads full vssl_mm checkpoints
(``backbone.*`` keys, the rest ignored) and exported backbone-only files, and refuses a
checkpoint holding no backbone tensor instead of silently evaluating random weights
(docs/design.md, pitfall 7).
"""
from vssl_mm.registry import MODELS
from ..algorithms.base import BaseVideoSSL


@MODELS.register_module()
class VideoFeatureExtractor(BaseVideoSSL):
    """A backbone alone: ``predict`` (inherited from :class:`BaseVideoSSL`) attaches the
    pooled clip features ``(V, D)`` as metainfo ``clip_features`` (retrieval, t-SNE)."""

    def loss(self, inputs, data_samples=None):
        raise RuntimeError('VideoFeatureExtractor has no training objective; use it with '
                           'tools/test.py (retrieval) or feature extraction only.')

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        if prefix == '':
            own = set(self.backbone.state_dict().keys())
            if not any(k.startswith('backbone.') for k in state_dict):
                bare = [k for k in list(state_dict) if k in own]
                if not bare:
                    raise RuntimeError(
                        'VideoFeatureExtractor: the checkpoint holds no backbone tensor '
                        '(no "backbone.*" key and no key of the backbone itself), so the '
                        'features would come from random weights. Pass a vssl_mm '
                        'pretraining checkpoint or a file written by '
                        'tools/model_converters/extract_backbone.py.')
                for k in bare:  # exported backbone-only file: route it to the backbone
                    state_dict['backbone.' + k] = state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
