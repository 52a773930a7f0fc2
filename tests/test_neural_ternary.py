"""Ternary weights {-a, 0, +a} with a learnt threshold (otbary.neural.ternary)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from otbary.neural.nets import ConvGenerator, MLPGenerator  # noqa: E402
from otbary.neural.ternary import (  # noqa: E402
    TernaryWeight,
    freeze_ternary,
    is_ternarized,
    model_size,
    pack_ternary,
    ternarize,
    ternary_layers,
    ternary_summary,
    unpack_ternary,
)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def _gen() -> MLPGenerator:
    return MLPGenerator(2, hidden=(16, 16))


def test_three_values_per_layer_and_twn_init() -> None:
    g = _gen()
    t = ternarize(g)
    layers = ternary_layers(t)
    assert len(layers) == 3  # every Linear of the MLP
    for name, mod, p in layers:
        w = mod.weight.detach()
        vals = torch.unique(w)
        a = float(p.scale.detach())
        # exactly the three values {-a, 0, a} (a layer this size uses all three)
        assert vals.numel() == 3, (name, vals)
        np.testing.assert_allclose(sorted(vals.tolist()), [-a, 0.0, a], rtol=1e-6)
        # TWN initialisation, recomputed independently from the latent weight
        latent = mod.parametrizations["weight"].original.detach().abs()
        delta = 0.7 * float(latent.mean())
        np.testing.assert_allclose(float(p.threshold.detach()), delta, rtol=1e-5)
        np.testing.assert_allclose(a, float(latent[latent > delta].mean()), rtol=1e-5)
        # codes: zero exactly where |W| <= Delta, sign(W) elsewhere
        expect = torch.sign(mod.parametrizations["weight"].original) * (latent > delta)
        assert torch.equal(torch.sign(w), expect)
    # the original model is untouched
    assert not is_ternarized(g)
    assert is_ternarized(t)


def test_ste_passes_gradients_to_weights_scale_and_threshold() -> None:
    t = ternarize(_gen())
    z = torch.randn(32, 2)
    loss = t(z).pow(2).sum()
    loss.backward()
    for _, mod, p in ternary_layers(t):
        latent = mod.parametrizations["weight"].original
        assert latent.grad is not None and float(latent.grad.abs().sum()) > 0
        # STE: the latent weight receives exactly the gradient of the effective weight
        # (checked on a linear layer: dL/dW = dL/dQ)
        assert p.log_scale.grad is not None and float(p.log_scale.grad.abs()) > 0
        assert p.log_threshold.grad is not None and float(p.log_threshold.grad.abs()) > 0


def test_ste_identity_gradient_on_one_layer() -> None:
    lin = nn.Linear(5, 4, bias=False)
    t = ternarize(lin)
    x = torch.randn(7, 5)
    gout = torch.randn(7, 4)
    (t(x) * gout).sum().backward()
    latent = t.parametrizations["weight"].original
    # d/dQ of sum(gout * x Q^T) = gout^T x; the STE hands it unchanged to the latent weight
    torch.testing.assert_close(latent.grad, gout.T @ x)
    # d/da = sum(dL/dQ * codes); d/dlog a = a * that
    p = ternary_layers(t)[0][2]
    codes = p.codes(latent).float()
    expect = float(p.scale.detach()) * float(((gout.T @ x) * codes).sum())
    np.testing.assert_allclose(float(p.log_scale.grad), expect, rtol=1e-5)


def test_threshold_is_learnable() -> None:
    """Minimising the number of nonzero codes (through the surrogate) moves Delta up."""
    t = ternarize(nn.Linear(20, 20))
    p = ternary_layers(t)[0][2]
    d0 = float(p.threshold.detach())
    zero0 = ternary_summary(t)[0].zero_fraction
    opt = torch.optim.Adam([p.log_threshold], lr=0.05)
    for _ in range(20):
        opt.zero_grad()
        loss = t.weight.abs().sum()  # L1 of the ternary weight: fewer nonzeros is better
        loss.backward()
        opt.step()
    assert float(p.threshold.detach()) > 1.2 * d0
    assert ternary_summary(t)[0].zero_fraction > zero0


def test_model_size_counts_two_bit_codes() -> None:
    g = _gen()
    n_w = sum(m.weight.numel() for m in g.modules() if isinstance(m, nn.Linear))
    n_b = sum(m.bias.numel() for m in g.modules() if isinstance(m, nn.Linear))
    t = ternarize(g)
    s0, s1 = model_size(g), model_size(t)
    assert s0.float_bits == s0.ternary_bits == 32 * (n_w + n_b)
    assert s1.float_bits == 32 * (n_w + n_b)
    assert s1.ternary_bits == 2 * n_w + 32 * 3 + 32 * n_b
    assert s1.n_ternary == n_w and s1.n_float == n_b and s1.n_layers == 3
    assert s1.ratio > 5


def test_pack_roundtrip_and_freeze() -> None:
    t = ternarize(_gen())
    packed = pack_ternary(t)
    z = torch.randn(16, 2)
    for name, mod, _ in ternary_layers(t):
        np.testing.assert_allclose(unpack_ternary(packed[name]), mod.weight.detach().numpy(), rtol=1e-6)
        assert len(packed[name].data) == -(-mod.weight.numel() // 4)  # four codes per byte
    frozen = freeze_ternary(t)
    assert not is_ternarized(frozen) and is_ternarized(t)
    torch.testing.assert_close(frozen(z), t(z))
    # a deep copy of a ternarised model still works after the copy is frozen
    c = copy.deepcopy(t)
    freeze_ternary(c, inplace=True)
    torch.testing.assert_close(t(z), c(z))


def test_conv_generator_ternarises() -> None:
    g = ConvGenerator(latent_dim=8, width=4)
    t = ternarize(g)
    assert len(ternary_layers(t)) == 3  # Linear + two ConvTranspose2d
    for layer in ternary_summary(t):
        assert len(layer.values) <= 3
    assert t.sample(2).shape == (2, 1, 28, 28)


def test_exclude_keeps_layers_float() -> None:
    g = _gen()
    t = ternarize(g, exclude=["net.net.4"])
    assert [n for n, _, _ in ternary_layers(t)] == ["net.net.0", "net.net.2"]


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="model"):
        ternarize("not a model")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold_ratio"):
        ternarize(_gen(), threshold_ratio=0.0)
    with pytest.raises(ValueError, match="temperature"):
        ternarize(_gen(), temperature=float("nan"))
    with pytest.raises(ValueError, match="no"):
        ternarize(nn.ReLU())
    with pytest.raises(ValueError, match="zeros"):
        TernaryWeight(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="NaN"):
        TernaryWeight(torch.full((3, 3), float("nan")))
    with pytest.raises(TypeError, match="model"):
        model_size(3)  # type: ignore[arg-type]


def test_finetune_ternary_keeps_three_values_and_moves_scales() -> None:
    from otbary.neural.ternary import finetune_ternary
    from otbary.neural.wgan import WGANConfig

    g = _gen()
    before = {n: float(p.scale.detach()) for n, _, p in ternary_layers(ternarize(g))}
    cfg = WGANConfig(n_critic=2, lr=1e-3, batch_size=32)
    res = finetune_ternary(g, steps=4, config=cfg, seed=0)  # distil the float model into its ternary copy
    assert res.training is not None and len(res.training.history["objective"]) == 4
    assert res.size.ratio > 5 and res.size.n_layers == 3
    for layer in res.layers:
        assert len(layer.values) <= 3 and layer.values[len(layer.values) // 2] == 0.0
    after = {n: float(p.scale.detach()) for n, _, p in ternary_layers(res.generator)}
    assert any(after[n] != before[n] for n in before)  # a_l is trained jointly
    assert not is_ternarized(g)
    raw = finetune_ternary(g, steps=0)
    assert raw.training is None and is_ternarized(raw.generator)
    with pytest.raises(TypeError, match="generator"):
        finetune_ternary(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="steps"):
        finetune_ternary(g, steps=-1)
