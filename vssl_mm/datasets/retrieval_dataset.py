"""The retrieval benchmark's test set: gallery (train) videos followed by query (test)
videos, each tagged with its split for :class:`~vssl_mm.evaluation.RetrievalMetric`."""
from typing import List, Optional

from vssl_mm.registry import DATASETS
from .video_dataset import VideoSSLDataset


@DATASETS.register_module()
class RetrievalVideoDataset(VideoSSLDataset):
    """Gallery (train) videos followed by query (test) videos, tagged for retrieval.

    Each item's info holds ``retrieval_split`` (``'gallery'`` or ``'query'``); keep it
    (and ``sample_idx``) in ``PackMultiViewInputs(meta_keys=...)``.

    Args:
        ann_file: the query (test) list, ``path label`` lines.
        gallery_ann_file: the gallery (train) list.
        gallery_data_prefix: data prefix of the gallery (defaults to ``data_prefix``).
        Other arguments as :class:`VideoSSLDataset` (``test_mode`` defaults to True).
    """

    def __init__(self,
                 ann_file: str,
                 gallery_ann_file: str,
                 gallery_data_prefix: Optional[dict] = None,
                 test_mode: bool = True,
                 **kwargs) -> None:
        self.gallery_ann_file = gallery_ann_file
        self.gallery_data_prefix = gallery_data_prefix
        super().__init__(ann_file, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[dict]:
        query_ann, query_prefix = self.ann_file, dict(self.data_prefix)
        try:
            self.ann_file = self.gallery_ann_file
            if self.gallery_data_prefix is not None:
                self.data_prefix = dict(self.gallery_data_prefix)
            gallery = super().load_data_list()
        finally:
            self.ann_file, self.data_prefix = query_ann, query_prefix
        query = super().load_data_list()
        for info in gallery:
            info['retrieval_split'] = 'gallery'
        for info in query:
            info['retrieval_split'] = 'query'
        return gallery + query
