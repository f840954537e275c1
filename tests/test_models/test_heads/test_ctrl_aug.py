"""ctrl_aug heads: MINE critic, cell projection, clip shuffles, temporal dependency heads."""

import pytest
import torch

from vssl_mm.models.heads.ctrl_aug import (CellProjection, MINECritic, TemporalDependencyHead,
                                           shuffle_clips)
from vssl_mm.models.losses.mine import mine_lower_bound


def test_critic_pairwise_equals_rowwise_and_frozen_has_no_grad():
    torch.manual_seed(0)
    c = MINECritic(5, 7, y_channels=3)
    x, y = torch.randn(4, 5), torch.randn(6, 3)
    s = c.pairwise(x, y)
    assert s.shape == (4, 6)
    torch.testing.assert_close(s[2, 4], c(x[2:3], y[4:5])[0])
    x.requires_grad_(True)
    before = [p.clone() for p in c.parameters()]
    c.pairwise(x, y, frozen=True).sum().backward()
    assert all(p.grad is None for p in c.parameters())
    assert x.grad is not None and x.grad.abs().sum() > 0
    for a, b in zip(before, c.parameters()):
        assert torch.equal(a, b)


def test_cell_projection_shapes():
    p = CellProjection(8, 16, 4)
    z = p(torch.randn(2, 8, 3, 2, 2))
    assert z.shape == (2, 12, 4)
    torch.testing.assert_close(z.norm(dim=-1), torch.ones(2, 12))


def test_shuffle_clips_builds_non_identity_permutations():
    clips = torch.arange(3 * 4 * 2, dtype=torch.float).view(3, 4, 2)
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        shuffled, perms = shuffle_clips(clips, g)
        for b in range(3):
            assert sorted(perms[b].tolist()) == [0, 1, 2, 3]
            assert perms[b].tolist() != [0, 1, 2, 3]
            torch.testing.assert_close(shuffled[b], clips[b, perms[b]])
    with pytest.raises(ValueError):
        shuffle_clips(clips[:, :1])


@pytest.mark.parametrize('kind', ['gru', 'mlp', 'gru_mlp', 'vcop'])
def test_temporal_heads_learn_order_on_toy_problem(kind):
    """Clips of a video are points on a line (clip k = a + k d); the global feature is d.
    After a few steps the head scores the ordered sequence above shuffled ones (or
    classifies the permutation, VCOP)."""
    torch.manual_seed(0)
    k, c = 3, 8
    head = TemporalDependencyHead(kind, in_channels=c, num_clips=k, hidden_channels=32)
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)

    def batch(n=64):
        a, d = torch.randn(n, c), torch.randn(n, c)
        clips = a[:, None] + torch.arange(k).view(1, k, 1) * d[:, None]
        return clips, d

    import itertools
    table = torch.tensor(list(itertools.permutations(range(k))))
    for _ in range(150):
        clips, d = batch()
        if head.is_classifier:
            label = torch.randint(len(table), (64, ))
            x = clips.gather(1, table[label][..., None].expand_as(clips))
            loss = torch.nn.functional.cross_entropy(head(x), label)
        else:
            shuffled, _ = shuffle_clips(clips)
            loss = -mine_lower_bound(head(clips, d), head(shuffled, d))
        opt.zero_grad()
        loss.backward()
        opt.step()
    clips, d = batch(256)
    with torch.no_grad():
        if head.is_classifier:
            label = torch.randint(len(table), (256, ))
            x = clips.gather(1, table[label][..., None].expand_as(clips))
            assert (head(x).argmax(1) == label).float().mean() > 0.5
        else:
            shuffled, _ = shuffle_clips(clips)
            assert (head(clips, d) > head(shuffled, d)).float().mean() > 0.8
