"""tools/analysis/loss_term_gradients.py: per-term backbone gradients against
``backward()`` term by term, and the CLI on real videos through the config's dataloader."""
import importlib.util
import json
import os.path as osp

import pytest
import torch

from tests.conftest import REPO, run_tool, synthetic_cfg_options
from tests.test_models.test_algorithms.test_objective_gradients import _sor

TOOL = osp.join(REPO, 'tools', 'analysis', 'loss_term_gradients.py')


def _tool():
    spec = importlib.util.spec_from_file_location('loss_term_gradients', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Preprocessed(torch.nn.Module):
    """A data preprocessor that passes an already packed batch through."""

    def forward(self, data, training=False):
        return data


def _backward_per_term(model, x, samples):
    """Brute force: each term's ``backward()`` alone on a fresh forward pass."""
    out = {}
    state = {k: v.clone() for k, v in model.state_dict().items()}
    names = [n for n, v in model.loss(x, samples).items() if 'loss' in n and v.requires_grad]
    for name in names:
        model.load_state_dict(state)  # the same queue and momentum encoder for each term
        model.zero_grad(set_to_none=True)
        torch.manual_seed(0)
        model.loss(x, samples)[name].backward()
        out[name] = torch.cat([
            (p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).double()
            for p in model.backbone.parameters() if p.requires_grad
        ])
    model.load_state_dict(state)
    model.zero_grad(set_to_none=True)
    return out


def test_term_gradients_equal_backward_of_each_term_alone():
    tool = _tool()
    model, x, samples = _sor()
    model.data_preprocessor = _Preprocessed()
    ref = _backward_per_term(model, x, samples)
    torch.manual_seed(0)
    res = tool.term_gradients(model, dict(inputs=x, data_samples=samples))
    # the paper's three terms, each reaching the backbone
    assert set(res['terms']) == set(ref) == {'loss_order', 'loss_rate', 'loss_contrast'}
    for name, g in ref.items():
        assert res['terms'][name]['grad_norm'] == pytest.approx(g.norm().item(), rel=1e-6)
        assert res['terms'][name]['grad_norm'] > 0
    for a, b in (('loss_contrast', 'loss_order'), ('loss_order', 'loss_rate')):
        cos = (ref[a] @ ref[b] / (ref[a].norm() * ref[b].norm())).item()
        assert res['cosine'][f'{a}|{b}'] == pytest.approx(cos, rel=1e-6, abs=1e-9)
    assert 'acc_order' in res['logged'] and 'acc_contrast' in res['logged']
    # the model's own .grad is not touched
    assert all(p.grad is None for p in model.parameters())


def test_term_gradients_scale_with_the_loss_weight():
    """Doubling a term's weight doubles its gradient norm and keeps every cosine."""
    tool = _tool()
    runs = []
    for w in (1.0, 2.0):

        def edit(m, w=w):
            m.order_head.loss_weight = w

        model, x, samples = _sor(edit)
        model.data_preprocessor = _Preprocessed()
        torch.manual_seed(0)
        runs.append(tool.term_gradients(model, dict(inputs=x, data_samples=samples)))
    one, two = runs
    assert two['terms']['loss_order']['grad_norm'] == pytest.approx(
        2 * one['terms']['loss_order']['grad_norm'], rel=1e-6)
    assert two['terms']['loss_rate']['grad_norm'] == pytest.approx(
        one['terms']['loss_rate']['grad_norm'], rel=1e-6)
    for k, c in one['cosine'].items():
        assert two['cosine'][k] == pytest.approx(c, abs=1e-6)


def test_summarise_means_and_relative_norms():
    tool = _tool()
    batches = [
        dict(
            terms=dict(
                loss_a=dict(value=1.0, grad_norm=2.0), loss_b=dict(value=3.0, grad_norm=0.5)),
            cosine={'loss_a|loss_b': 0.5},
            logged=dict(acc=0.25)),
        dict(
            terms=dict(
                loss_a=dict(value=3.0, grad_norm=4.0), loss_b=dict(value=1.0, grad_norm=1.5)),
            cosine={'loss_a|loss_b': -0.1},
            logged=dict(acc=0.75)),
    ]
    s = tool.summarise(batches)
    assert s['terms']['loss_a']['grad_norm'] == 3.0 and s['terms']['loss_a']['value'] == 2.0
    assert s['terms']['loss_b']['relative'] == pytest.approx(1.0 / 3.0)
    assert s['terms']['loss_a']['relative'] == 1.0
    assert s['cosine']['loss_a|loss_b'] == dict(mean=pytest.approx(0.2), min=-0.1, max=0.5)
    assert s['logged']['acc'] == 0.5


@pytest.mark.slow
def test_cli_on_real_videos(synthetic_data, tmp_path):
    out = tmp_path / 'grads.json'
    opts = synthetic_cfg_options(
        synthetic_data, str(tmp_path), **{
            'model.backbone.base_channels': 4,
            'model.order_head.in_channels': 32,
            'model.order_head.hidden_channels': 16,
            'model.rate_head.in_channels': 32,
            'model.neck.in_channels': 32,
            'model.neck.hidden_channels': 32,
            'model.neck.out_channels': 12,
            'model.queue_len': 8,
            'train_dataloader.batch_size': 2,
        })
    proc = run_tool([
        TOOL,
        osp.join(REPO, 'configs', 'seg_order_rate', 'r21d_synthetic.py'), '--batches', '2', '--out',
        str(out)
    ] + opts)
    res = json.loads(out.read_text())
    assert res['batches'] == 2
    assert set(res['terms']) == {'loss_order', 'loss_rate', 'loss_contrast'}
    assert max(t['relative'] for t in res['terms'].values()) == 1.0
    assert all(t['grad_norm'] > 0 for t in res['terms'].values())
    assert 'loss_order|loss_rate' in res['cosine']
    assert 'backbone gradient of each term' in proc.stdout
