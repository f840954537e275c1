from .info_nce import InfoNCELoss, dot_similarity, info_nce_logits_loss

__all__ = ['InfoNCELoss', 'dot_similarity', 'info_nce_logits_loss']
