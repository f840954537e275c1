"""Heads of ctrl_aug: per-cell projection (Eq. 3-4), MINE critic G_theta (Eq. 5-6) and
the temporal dependency heads G_psi (Eq. 7, Table 6)."""
import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from vssl_mm.registry import MODELS
from vssl_mm.utils.permutations import permutations_table
from ..utils.distributed import draw_for_global_batch


@MODELS.register_module()
class CellProjection(nn.Module):
    """The same MLP applied to every spatio-temporal cell of a feature map.

    ``(N, C, T, H, W)`` -> ``(N, T*H*W, D)`` L2-normalised (cells flattened ``(t, h, w)``
    row-major, the order of :func:`correspondence_matrix`). Two linear layers with a ReLU
    (``in -> hidden -> out``; 128-d output, our choice).
    """

    def __init__(self,
                 in_channels: int = 512,
                 hidden_channels: int = 512,
                 out_channels: int = 128,
                 normalize: bool = True) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_channels, hidden_channels)
        self.fc2 = nn.Linear(hidden_channels, out_channels)
        self.normalize = normalize

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cells = x.flatten(2).transpose(1, 2)  # (N, THW, C)
        z = self.fc2(F.relu(self.fc1(cells), inplace=True))
        return F.normalize(z, dim=-1) if self.normalize else z


@MODELS.register_module()
class MINECritic(nn.Module):
    """G_theta: a two-layer MLP on a feature pair ``[x, y]`` -> scalar (Eq. 5).

    :meth:`pairwise` scores every pair of ``x`` ``(A, C)`` and ``y`` ``(B, C')`` at once:
    the first layer on the concatenation is split as ``W_x x + W_y y``, so the ``(A, B)``
    score matrix costs ``A + B`` projections and one ``(A, B, hidden)`` activation.
    ``frozen=True`` uses detached parameters: gradients reach the features, never theta
    (ctrl_aug applies the learned critic to local-global pairs "but not update theta").
    """

    def __init__(self,
                 in_channels: int = 512,
                 hidden_channels: int = 512,
                 y_channels: int = None) -> None:
        super().__init__()
        y_channels = y_channels or in_channels
        self.fc_x = nn.Linear(in_channels, hidden_channels)
        self.fc_y = nn.Linear(y_channels, hidden_channels, bias=False)
        self.fc_out = nn.Linear(hidden_channels, 1)

    def _params(self, frozen: bool):
        ps = (self.fc_x.weight, self.fc_x.bias, self.fc_y.weight, self.fc_out.weight,
              self.fc_out.bias)
        return tuple(p.detach() for p in ps) if frozen else ps

    def pairwise(self, x: torch.Tensor, y: torch.Tensor, frozen: bool = False) -> torch.Tensor:
        """``(A, C) x (B, C') -> (A, B)`` scores ``G([x_a, y_b])``."""
        wx, bx, wy, wo, bo = self._params(frozen)
        h = F.linear(x, wx, bx)[:, None] + F.linear(y, wy)[None]  # (A, B, hidden)
        return F.linear(F.relu(h), wo, bo).squeeze(-1)

    def forward(self, x: torch.Tensor, y: torch.Tensor, frozen: bool = False) -> torch.Tensor:
        """Row-wise pairs ``(B, C) x (B, C') -> (B,)``."""
        wx, bx, wy, wo, bo = self._params(frozen)
        h = F.linear(x, wx, bx) + F.linear(y, wy)
        return F.linear(F.relu(h), wo, bo).squeeze(-1)


def permute_clips(clips: torch.Tensor,
                  identity: bool = True,
                  generator: Optional[torch.Generator] = None
                  ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Reorder each sample's clips by a random permutation of :func:`permutations_table`.

    ``clips`` ``(B, K, C)`` in time order -> ``(shuffled (B, K, C), perms (B, K),
    labels (B,))`` with ``shuffled[b, j] = clips[b, perms[b, j]]`` and ``labels`` the
    permutation's row in the table (``identity=False``: the identity row is left out and
    the labels index the remaining ``K! - 1`` rows). Distributed, the labels are this
    rank's rows of one draw for the global batch (:func:`draw_for_global_batch`).
    """
    b, k = clips.shape[:2]
    table = torch.tensor(permutations_table(k)[0 if identity else 1:], device=clips.device)
    if len(table) == 0:
        raise ValueError('a non-identity order needs K >= 2 clips')
    device = clips.device if generator is None else generator.device
    labels = draw_for_global_batch(  # on the clips' device: no CPU draw + copy on a GPU
        lambda m: torch.randint(len(table), (m, ), generator=generator, device=device),
        b).to(clips.device)
    perms = table[labels]
    return clips.gather(1, perms[..., None].expand(-1, -1, clips.shape[2])), perms, labels


def shuffle_clips(clips: torch.Tensor,
                  generator: Optional[torch.Generator] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Arbitrarily ordered sequences f~(v) for Eq. 7: a random *non-identity*
    permutation per sample (K >= 2); returns ``(shuffled (B, K, C), perms (B, K))``
    (see :func:`permute_clips`)."""
    return permute_clips(clips, identity=False, generator=generator)[:2]


@MODELS.register_module()
class TemporalDependencyHead(nn.Module):
    """G_psi of Eq. 7: scores a clip sequence ``(B, K, C)`` against the video ``(B, C)``.

    kinds (Table 6):

    - ``'gru'`` (default): a GRU over the clip features; score = cosine(GRU output,
      ``f'(v)``) / ``tau`` (tau 0.1, our choice: a bounded cosine needs a scale for the
      MINE bound);
    - ``'mlp'``: MLP on ``[f'(v), f(v_1), ..., f(v_K)]`` -> scalar;
    - ``'gru_mlp'``: GRU output concatenated with ``f'(v)`` -> MLP -> scalar;
    - ``'vcop'``: VCOP-style (Xu et al., 2019): pairwise relation features of the clips
      (no global feature) -> ``K!`` order logits, trained with cross-entropy
      (:meth:`forward` returns logits ``(B, K!)``).
    """

    KINDS = ('gru', 'mlp', 'gru_mlp', 'vcop')

    def __init__(self,
                 kind: str = 'gru',
                 in_channels: int = 512,
                 num_clips: int = 4,
                 hidden_channels: int = 512,
                 tau: float = 0.1,
                 dropout: float = 0.0) -> None:
        super().__init__()
        if kind not in self.KINDS:
            raise ValueError(f'kind must be one of {self.KINDS}, got {kind!r}')
        self.kind = kind
        self.num_clips = num_clips
        self.tau = tau
        if kind in ('gru', 'gru_mlp'):
            gru_hidden = in_channels if kind == 'gru' else hidden_channels
            self.gru = nn.GRU(in_channels, gru_hidden, batch_first=True)
        if kind == 'mlp':
            self.mlp = self._mlp(in_channels * (num_clips + 1), hidden_channels, 1, dropout)
        elif kind == 'gru_mlp':
            self.mlp = self._mlp(hidden_channels + in_channels, hidden_channels, 1, dropout)
        elif kind == 'vcop':
            self.pair = nn.Linear(2 * in_channels, hidden_channels)
            num_pairs = num_clips * (num_clips - 1) // 2
            self.drop = nn.Dropout(dropout)
            self.fc = nn.Linear(hidden_channels * num_pairs, math.factorial(num_clips))

    @staticmethod
    def _mlp(cin: int, hidden: int, cout: int, dropout: float) -> nn.Module:
        return nn.Sequential(
            nn.Linear(cin, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(hidden, cout))

    @property
    def is_classifier(self) -> bool:
        return self.kind == 'vcop'

    def forward(self, clips: torch.Tensor, video: torch.Tensor = None) -> torch.Tensor:
        """``clips`` ``(B, K, C)``, ``video`` ``(B, C)`` -> scores ``(B,)`` (logits
        ``(B, K!)`` for ``'vcop'``)."""
        if self.kind == 'vcop':
            i, j = torch.triu_indices(clips.shape[1], clips.shape[1], 1)
            pairs = torch.cat([clips[:, i], clips[:, j]], dim=-1)  # (B, P, 2C)
            rel = F.relu(self.pair(pairs)).flatten(1)
            return self.fc(self.drop(rel))
        if self.kind == 'mlp':
            return self.mlp(torch.cat([video, clips.flatten(1)], dim=1)).squeeze(-1)
        out = self.gru(clips)[0][:, -1]  # (B, hidden) after the last clip
        if self.kind == 'gru':
            return F.cosine_similarity(out, video, dim=-1) / self.tau
        return self.mlp(torch.cat([out, video], dim=1)).squeeze(-1)
