from .retrieval import RetrievalMetric, recall_at_k

__all__ = ['RetrievalMetric', 'recall_at_k']
