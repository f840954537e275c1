"""mlrep heads: the prototype head (projection, prototypes, score queue and the swapped
prediction of Eq. 4) and the temporal token heads (ME + pooling + 2-layer MLP with the
L_aug and L_ret terms of Eq. 11-13)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from ..losses.temporal_contrast import timestamp_retrieval_loss, transformed_copy_contrast_loss
from ..necks.projection import MLPProjection
from ..utils.distributed import gather_with_grad, world_info
from ..utils.queue import KeyQueue
from .motion_excitation import MotionExcitation


@MODELS.register_module()
class PrototypeHead(nn.Module):
    """``z = normalize(MLP(x))`` (in-in-BN-ReLU-out), prototype scores ``z @ P`` and L_proto.

    ``P`` is ``Linear(out_channels, num_prototypes, bias=False)`` whose rows are
    re-normalised to unit length by :meth:`normalize_prototypes` every step, so the
    scores are cosines in ``[-1, 1]``. The head keeps a queue of past scores of both views
    of the global batch (identical on all ranks) that joins Sinkhorn when asked.

    Args:
        in_channels: pooled feature width (512 for R3D-18 res5).
        out_channels: projection width (128).
        num_prototypes: K (1000 on K400, 200 on UCF101).
        hidden_channels: MLP width (defaults to ``in_channels``).
        queue_length: past scores kept (0: no queue). A multiple of the global batch.
        loss: the swapped-prediction loss (``SwappedPredictionLoss``).
    """

    def __init__(self,
                 in_channels: int = 512,
                 out_channels: int = 128,
                 num_prototypes: int = 1000,
                 hidden_channels: Optional[int] = None,
                 queue_length: int = 0,
                 loss: dict = dict(type='SwappedPredictionLoss')) -> None:
        super().__init__()
        if num_prototypes < 1:
            raise ValueError(f'num_prototypes must be >= 1, got {num_prototypes}')
        self.num_prototypes = num_prototypes
        self.projection = MLPProjection(
            in_channels, out_channels, hidden_channels, num_layers=2, with_bn=True)
        self.prototypes = nn.Linear(out_channels, num_prototypes, bias=False)
        self.loss_module = MODELS.build(loss)
        self.queue = None
        if queue_length > 0:
            # the queue starts empty (zeros): its random initial keys are drawn on a forked
            # generator, so the seeded initialisation of later layers does not depend on it
            with torch.random.fork_rng(devices=[]):
                self.queue = KeyQueue(queue_length, 2 * num_prototypes, normalize=False)
            self.queue.queue.zero_()
        self.register_buffer('queue_filled', torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def normalize_prototypes(self) -> None:
        w = self.prototypes.weight
        w.copy_(F.normalize(w, dim=1))

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., C) -> (..., D)`` L2-normalised ``z``."""
        return F.normalize(self.projection(x.flatten(0, -2)), dim=1).view(*x.shape[:-1], -1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(..., D)`` normalised ``z`` -> ``(..., K)`` prototype scores."""
        return self.prototypes(z)

    @torch.no_grad()
    def queued_scores(self) -> Optional[torch.Tensor]:
        """The filled rows of the queue ``(S, 2, K)``, or ``None`` while it is empty (a host
        read: the slice has a data-dependent length)."""
        filled = int(self.queue_filled.item()) if self.queue is not None else 0
        if filled == 0:
            return None
        return self.queue.queue[:filled].view(filled, 2, self.num_prototypes)

    @torch.no_grad()
    def enqueue(self, scores: torch.Tensor) -> None:
        """Push the global batch's ``(B, 2, K)`` scores (gathered inside ``enqueue``)."""
        if self.queue is None:
            return
        self.queue.enqueue(scores.detach().flatten(1))
        _, world = world_info()
        # on the buffer's device (no host read): min(filled + global batch, length)
        self.queue_filled.add_(scores.shape[0] * world).clamp_(max=self.queue.length)

    def loss(self, z: torch.Tensor, use_queue: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """L_proto (Eq. 4) of ``(B, 2, D)`` projected views; the batch's scores are queued.

        Args:
            z: ``(B, 2, D)`` normalised projections of both views.
            use_queue: ``(1,)`` flag: the queued scores join Sinkhorn (read on the host
                only when the head has a queue).

        Returns:
            ``(loss, targets)``: the Sinkhorn targets ``(B, 2, K)`` (no gradient).
        """
        self.normalize_prototypes()
        scores = self(z)  # (B, 2, K)
        queued = None
        if self.queue is not None and bool(use_queue.item()):
            queued = self.queued_scores()
        loss, targets = self.loss_module(scores, queued)
        self.enqueue(scores)
        return loss, targets


@MODELS.register_module()
class TemporalTokenHead(nn.Module):
    """Motion-excited, pooled, projected features of one level and its L_aug / L_ret.

    ``vector(x)``: ``ME(x)`` -> spatiotemporal average -> MLP -> ``(B, D)`` (L_aug, Eq. 11);
    ``tokens(x, n)``: ``ME(x)`` -> spatial average, adaptive temporal average to ``n``
    tokens -> MLP per token -> ``(B, n, D)`` (L_ret, Eq. 13). Outputs are L2-normalised.

    Args:
        in_channels: level width.
        out_channels: D.
        with_me: use the Motion Excitation block (low and mid levels).
        reduction: ME channel reduction.
        temperature: tau of Eq. 11-13 (0.07).
        batch_negatives: the other videos of the global batch are negatives in L_aug too
            (authors' code); ``False`` is Eq. 11-12 literally.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 with_me: bool = True,
                 reduction: int = 16,
                 temperature: float = 0.07,
                 batch_negatives: bool = True) -> None:
        super().__init__()
        self.temperature = temperature
        self.batch_negatives = batch_negatives
        self.me = MotionExcitation(in_channels, reduction) if with_me else nn.Identity()
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, in_channels), nn.ReLU(inplace=True),
            nn.Linear(in_channels, out_channels))

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, C, T)``: ME, then spatial average."""
        return self.me(x).mean(dim=(3, 4))

    def project_vector(self, pooled: torch.Tensor) -> torch.Tensor:
        """``(B, C, T) -> (B, D)``: temporal average then MLP (Eq. 11)."""
        return F.normalize(self.mlp(pooled.mean(dim=2)), dim=-1)

    def project_tokens(self, pooled: torch.Tensor, num_tokens: int) -> torch.Tensor:
        """``(B, C, T) -> (B, num_tokens, D)``; token ``k`` = ``k``-th time slice (Eq. 13)."""
        y = F.adaptive_avg_pool1d(pooled, num_tokens)
        return F.normalize(self.mlp(y.transpose(1, 2)), dim=-1)

    def vector(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, D)``."""
        return self.project_vector(self.pooled(x))

    def tokens(self, x: torch.Tensor, num_tokens: int) -> torch.Tensor:
        """``(B, C, T, H, W) -> (B, num_tokens, D)``."""
        return self.project_tokens(self.pooled(x), num_tokens)

    def loss_aug(self, short: torch.Tensor, copies: torch.Tensor,
                 diag: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """L_aug (Eq. 11-12) -> ``(loss, accuracy)``.

        Args:
            short: ``(2B, C, T)`` pooled clips 1 and 2 of each sample (sample-major).
            copies: ``(A*2B, C, T)`` their pooled transformed copies, one block per
                transform.
            diag: ``(B,)`` own columns in the gathered batch.
        """
        n = short.shape[0] // 2
        q = self.project_vector(short).view(n, 2, -1)
        aug = self.project_vector(copies).view(-1, n, 2, q.shape[-1])
        keys = gather_with_grad(q) if self.batch_negatives else None
        return transformed_copy_contrast_loss(q, aug, self.temperature, keys, diag)

    def loss_ret(self, short: torch.Tensor, long: torch.Tensor,
                 num_tokens: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """L_ret (Eq. 13) -> ``(loss, accuracy)``: ``(2B, C, T)`` pooled short clips give
        ``num_tokens / 2`` tokens each (clip 1 then clip 2), the ``(B, C, T')`` global clip
        ``num_tokens``."""
        n = long.shape[0]
        s_tok = self.project_tokens(short, num_tokens // 2).view(n, num_tokens, -1)
        l_tok = self.project_tokens(long, num_tokens)
        return timestamp_retrieval_loss(s_tok, l_tok, self.temperature)

    def extra_repr(self) -> str:
        return f'temperature={self.temperature}, batch_negatives={self.batch_negatives}'
