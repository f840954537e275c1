"""Local-global spatio-temporal correspondence S_k of ctrl_aug (Eq. 1).

Each cell of a feature map is a tube of the raw video: the view's time window split into
``T`` equal parts times its crop box split into an ``H x W`` grid (columns reversed when
the view is flipped: feature column ``w`` of a flipped view shows box column
``W - 1 - w``). Tubes are axis-aligned boxes, so the intersection volume factorises:

    S_k(i, j) = inter(f(v_k)[i], f'(v)[j]) / vol(f(v_k)[i])                      (Eq. 1)
              = O_t(t_i, t_j) * O_y(y_i, y_j) * O_x(x_i, x_j)

with ``O(a, b) = |a ∩ b| / |a|`` per axis. Rows sum to 1 when every local tube lies inside
the global one (local crops inside the global crop, local windows inside the video:
guaranteed by ``CtrlAugSampler`` / ``CtrlAugCrop``). Cells are flattened ``(t, h, w)``
row-major, as ``feature.flatten(2)`` of a ``(C, T, H, W)`` map.
"""
from typing import Sequence, Tuple

import torch


def cell_intervals(lo: torch.Tensor,
                   hi: torch.Tensor,
                   n: int,
                   flip: torch.Tensor = None) -> torch.Tensor:
    """Split ``[lo, hi)`` ``(...)`` into ``n`` equal cells: ``(..., n, 2)``.

    With ``flip`` (bool ``(...)``) the cell order is reversed (cell ``0`` of a flipped view
    is the right-most part of the box).
    """
    frac = torch.arange(n + 1, dtype=lo.dtype, device=lo.device) / n
    edges = lo[..., None] + (hi - lo)[..., None] * frac  # (..., n + 1)
    cells = torch.stack([edges[..., :-1], edges[..., 1:]], dim=-1)  # (..., n, 2)
    if flip is not None:
        cells = torch.where(flip[..., None, None], cells.flip(-2), cells)
    return cells


def overlap_ratio(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``|a_i ∩ b_j| / |a_i|`` for intervals ``a`` ``(..., I, 2)``, ``b`` ``(..., J, 2)``:
    ``(..., I, J)``."""
    lo = torch.maximum(a[..., :, None, 0], b[..., None, :, 0])
    hi = torch.minimum(a[..., :, None, 1], b[..., None, :, 1])
    length = (a[..., 1] - a[..., 0]).clamp_min(1e-12)
    return (hi - lo).clamp_min(0) / length[..., None]


def correspondence_matrix(local_windows: torch.Tensor, local_boxes: torch.Tensor,
                          local_flips: torch.Tensor, global_window: torch.Tensor,
                          global_box: torch.Tensor, global_flip: torch.Tensor,
                          local_grid: Sequence[int], global_grid: Sequence[int]) -> torch.Tensor:
    """S_k of Eq. 1 for every sample and clip, vectorised.

    Args:
        local_windows: ``(N, K, 2)`` raw-frame windows ``[t0, t1)`` of the local clips.
        local_boxes: ``(N, K, 4)`` raw-pixel boxes ``(x0, y0, x1, y1)``.
        local_flips: ``(N, K)`` bool.
        global_window: ``(N, 2)``; global_box ``(N, 4)``; global_flip ``(N,)``.
        local_grid: ``(T_c, H, W)`` of the local feature map ``f(v_k)``.
        global_grid: ``(T_v, H', W')`` of the global feature map ``f'(v)``.

    Returns:
        ``(N, K, T_c*H*W, T_v*H'*W')`` with rows summing to 1.
    """
    tc, hc, wc = local_grid
    tv, hv, wv = global_grid
    lw, lb = local_windows.float(), local_boxes.float()
    gw, gb = global_window.float()[:, None], global_box.float()[:, None]  # (N, 1, .)
    lf, gf = local_flips.bool(), global_flip.bool()[:, None]
    k = lw.shape[1]
    # per-axis cells: (N, K, n, 2) for local, (N, 1, n', 2) for global
    ot = overlap_ratio(
        cell_intervals(lw[..., 0], lw[..., 1], tc), cell_intervals(gw[..., 0], gw[..., 1], tv))
    oy = overlap_ratio(
        cell_intervals(lb[..., 1], lb[..., 3], hc), cell_intervals(gb[..., 1], gb[..., 3], hv))
    ox = overlap_ratio(
        cell_intervals(lb[..., 0], lb[..., 2], wc, lf),
        cell_intervals(gb[..., 0], gb[..., 2], wv, gf.expand(-1, 1)))
    s = torch.einsum('nkab,nkcd,nkef->nkacebdf', ot, oy, ox)
    return s.reshape(lw.shape[0], k, tc * hc * wc, tv * hv * wv)


def correspondence_from_metainfo(params: Sequence[dict],
                                 local_grid: Sequence[int],
                                 global_grid: Sequence[int],
                                 device=None) -> torch.Tensor:
    """S_k from the ``ctrl_params`` recorded by ``CtrlAugSampler`` / ``CtrlAugCrop``
    (one dict per sample): ``(N, K, N_c, N_v)``."""

    def stack(key, dtype=torch.float32):
        return torch.stack([torch.as_tensor(p[key], dtype=dtype) for p in params]).to(device)

    boxes, flips = stack('boxes'), stack('flips', torch.bool)
    return correspondence_matrix(
        stack('local_windows'), boxes[:, 1:], flips[:, 1:], stack('global_window'), boxes[:, 0],
        flips[:, 0], local_grid, global_grid)


def grid_shape(feat: torch.Tensor) -> Tuple[int, int, int]:
    """``(T, H, W)`` of a ``(..., C, T, H, W)`` map."""
    return tuple(int(s) for s in feat.shape[-3:])
