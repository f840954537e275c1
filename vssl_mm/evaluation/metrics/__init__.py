from .retrieval import RetrievalMetric, RetrievalVideoDataset, recall_at_k

__all__ = ['RetrievalMetric', 'RetrievalVideoDataset', 'recall_at_k']
