"""Batch multi-view samples into ``(N, V, C, T, H, W)`` float tensors."""
from typing import Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor

from vssl_mm.registry import MODELS


@MODELS.register_module()
class MultiViewDataPreprocessor(BaseDataPreprocessor):
    """Stack, cast to float and normalise multi-view video batches.

    ``inputs`` from :class:`PackMultiViewInputs` is a list of ``(V, C, T, H, W)`` uint8
    tensors; the output is ``(N, V, C, T, H, W)`` float: ``(x - mean) / std`` per channel.
    ImageNet statistics are the default; HDC's ``[-1, 1]`` range is
    ``mean=[127.5] * 3, std=[127.5] * 3``. Tensors of the data samples' metainfo listed in
    ``extra_view_keys`` are normalised and stacked the same way.

    Args:
        mean, std: per-channel statistics in the 0-255 range (RGB order).
        extra_view_keys: metainfo keys holding extra view tensors to normalise.
    """

    def __init__(
        self,
        mean: Sequence[float] = (123.675, 116.28, 103.53),
        std: Sequence[float] = (58.395, 57.12, 57.375),
        extra_view_keys: Sequence[str] = ()
    ) -> None:
        super().__init__()
        if len(mean) != 3 or len(std) != 3:
            raise ValueError(f'mean and std need 3 values, got {mean} and {std}')
        if any(s <= 0 for s in std):
            raise ValueError(f'std must be positive, got {std}')
        self.register_buffer(
            'mean',
            torch.tensor(mean, dtype=torch.float32).view(1, 1, 3, 1, 1, 1),
            persistent=False)
        self.register_buffer(
            'std', torch.tensor(std, dtype=torch.float32).view(1, 1, 3, 1, 1, 1), persistent=False)
        self.extra_view_keys = tuple(extra_view_keys)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, V, C, T, H, W)`` uint8 or float -> normalised float."""
        return (x.float() - self.mean) / self.std

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs: Union[torch.Tensor, list] = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(list(inputs))
        if inputs.dim() != 6:
            raise ValueError('MultiViewDataPreprocessor expects (N, V, C, T, H, W) inputs, '
                             f'got shape {tuple(inputs.shape)}')
        data_samples: Optional[list] = data.get('data_samples', None)
        if self.extra_view_keys and data_samples:
            for key in self.extra_view_keys:
                if not all(key in s.metainfo for s in data_samples):
                    # evaluation pipelines (retrieval, features) carry no extra views
                    continue
                extra = torch.stack([s.metainfo[key] for s in data_samples]).to(inputs.device)
                normed = self.normalize(extra)
                for s, e in zip(data_samples, normed):
                    s.set_metainfo({key: e})
        return dict(inputs=self.normalize(inputs), data_samples=data_samples)
