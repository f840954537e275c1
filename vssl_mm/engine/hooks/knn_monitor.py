"""Retrieval (kNN) monitor for pretraining: R@k on a small labelled set every N epochs."""
from typing import Optional, Sequence, Union

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vssl_mm.evaluation.metrics.retrieval import RetrievalMetric
from vssl_mm.registry import HOOKS


@HOOKS.register_module()
class KNNMonitorHook(Hook):
    """Every ``interval`` epochs, embed ``dataloader`` and log leave-one-out R@k.

    Each video's feature is the mean of its clips' pooled backbone features (the model's
    ``pooled_features``, any :class:`~vssl_mm.models.BaseVideoSSL`); each video queries
    all the others by cosine similarity. Distributed runs shard the set and gather
    (padding removed) through :class:`RetrievalMetric`. Results are logged as
    ``knn/R@k`` (log line and visualizer scalars).

    Args:
        dataloader: dataloader config over a labelled list (e.g. the val list with
            ``UniformClipsSampler`` and ``PackMultiViewInputs``), or a built loader.
        interval: epochs between evaluations.
        topk: values of k.
        center: mean-centre the features before L2 normalisation.
    """
    priority = 'LOW'

    def __init__(self,
                 dataloader: Union[dict, object],
                 interval: int = 10,
                 topk: Sequence[int] = (1, 5),
                 center: bool = False) -> None:
        self.dataloader_cfg = dataloader
        self._loader = None
        self.interval = interval
        self.topk = tuple(topk)
        self.center = center
        self.last: Optional[dict] = None

    def _get_loader(self, runner):
        if self._loader is None:
            if isinstance(self.dataloader_cfg, dict):
                self._loader = runner.build_dataloader(self.dataloader_cfg, seed=runner.seed)
            else:
                self._loader = self.dataloader_cfg
        return self._loader

    @torch.no_grad()
    def evaluate(self, runner) -> dict:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        loader = self._get_loader(runner)
        metric = RetrievalMetric(topk=self.topk, center=self.center, prefix='knn')
        was_training = model.training
        model.eval()
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            feats = model.pooled_features(data['inputs'])  # (N, V, D)
            samples = []
            for s, f in zip(data['data_samples'], feats):
                samples.append(
                    dict(
                        clip_features=f,
                        gt_label=s.gt_label,
                        sample_idx=s.metainfo.get('sample_idx', -1)))
            metric.process(None, samples)
        model.train(was_training)
        return metric.evaluate(len(loader.dataset))

    def after_train_epoch(self, runner) -> None:
        if not self.every_n_epochs(runner, self.interval) and \
                not self.is_last_train_epoch(runner):
            return
        self.last = self.evaluate(runner)
        msg = '  '.join(f'{k}: {v:.2f}' for k, v in self.last.items())
        runner.logger.info(f'kNN monitor (epoch {runner.epoch + 1}): {msg}')
        runner.visualizer.add_scalars(self.last, step=runner.epoch + 1)
