"""Fast adaptation of a barycenter generator to few local samples (otbary.neural.adaptation)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from scipy.stats import wasserstein_distance  # noqa: E402

from otbary.neural.adaptation import (  # noqa: E402
    ADAPT_CONFIG,
    LOCAL_CONFIG,
    AdaptationResult,
    ShiftScale,
    fast_adapt,
    generator_sampler,
    sample_w1_score,
    train_local,
)
from otbary.neural.nets import Generator, MLPGenerator  # noqa: E402
from otbary.neural.wgan import WGANConfig  # noqa: E402

SMALL = WGANConfig(lambda_gp=10.0, n_critic=3, lr=1e-3, betas=(0.5, 0.9), batch_size=64, critic_lr=None,
                   one_sided=False, ema_decay=0.0)
ONE_SIDED = WGANConfig(lambda_gp=10.0, n_critic=3, lr=1e-3, betas=(0.5, 0.9), batch_size=64, one_sided=True,
                       critic_lr=None, ema_decay=0.0)
FAST = WGANConfig(lambda_gp=10.0, n_critic=3, lr=5e-3, critic_lr=1e-3, betas=(0.5, 0.9), batch_size=64,
                  one_sided=True, ema_decay=0.0)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def _bary(dim: int = 1, loc: float = 0.0) -> MLPGenerator:
    """A residual MLP generator at ``loc``: about N(loc, 0.5^2) before any training."""
    torch.manual_seed(0)
    return MLPGenerator(dim, hidden=(16, 16), loc=loc, scale=0.5)


def _local(mean: float, dim: int = 1):  # noqa: ANN202
    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        return mean + 0.5 * rng.standard_normal((n, dim))

    return sampler


def test_adaptation_moves_towards_the_local_distribution() -> None:
    bary = _bary()
    target = _local(1.5)
    local = target(30, np.random.default_rng(0))
    before = sample_w1_score(bary, target, n_samples=400, n_repeats=3, seed=1)
    res = fast_adapt(bary, local, steps=20, warmup=20, align_steps=20, config=FAST, hidden=(16, 16), seed=0)
    after = sample_w1_score(res, target, n_samples=400, n_repeats=3, seed=1)
    assert isinstance(res, AdaptationResult)
    assert res.n_local == 30 and res.steps == 20 and len(res.history["w1"]) == 20
    assert res.align_steps == 20 and len(res.history["align_w1"]) == 20
    # the starting generator is about 1.5 away (a translate); adaptation closes most of it
    assert before.w1 > 1.2
    assert after.w1 < 0.5 * before.w1
    assert after.interval[1] < before.interval[0]
    # the alignment found the translation (the local samples' mean is within 0.2 of 1.5)
    assert res.shift is not None and res.shift[0] == pytest.approx(1.5, abs=0.3)
    # the input generator is not modified
    again = sample_w1_score(bary, target, n_samples=400, n_repeats=3, seed=1)
    assert again.w1 == pytest.approx(before.w1)


def test_fold_is_exact_and_mlp_generators_stay_mlp() -> None:
    """The alignment map folded into an MLPGenerator's loc/scale gives the same samples."""
    from otbary.neural.adaptation import ShiftScale, _fold

    base = _bary(dim=2, loc=0.3)
    w = ShiftScale(copy.deepcopy(base), torch.tensor([0.3, 0.1]), 0.7)
    with torch.no_grad():
        w.shift.copy_(torch.tensor([1.0, -2.0]))
        w.log_scale.copy_(torch.tensor([0.5, -0.3]))
    z = base.sample_latent(50, torch.Generator().manual_seed(0))
    with torch.no_grad():
        want = torch.tensor([0.3, 0.1]) + 0.7 * torch.tensor([1.0, -2.0]) + torch.exp(
            torch.tensor([0.5, -0.3])) * (base(z) - torch.tensor([0.3, 0.1]))
        got_wrapped = w(z)
        folded = _fold(w)
        got = folded(z)
    assert isinstance(folded, MLPGenerator)
    torch.testing.assert_close(got_wrapped, want, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    res = fast_adapt(base, np.ones((10, 2)), steps=2, warmup=2, align_steps=2, config=SMALL, hidden=(8,))
    assert isinstance(res.generator, MLPGenerator)
    np.testing.assert_allclose(res.scale, 1.0)  # align_scale=False: only the shift moves


class _TwoBumps(Generator):
    """A non-Gaussian 'pre-trained' model: +-1 with probability 1/2, plus 0.1 noise, shifted by a
    learnable offset. A generator trained from scratch on 10 samples cannot learn this shape;
    the barycenter generator has it, and alignment only has to move it."""

    def __init__(self) -> None:
        super().__init__()
        self.latent_dim = 2
        self.sample_shape = (1,)
        self.offset = torch.nn.Parameter(torch.zeros(1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.offset + torch.sign(z[:, :1]) + 0.1 * z[:, 1:2]


def _two_bumps(shift: float):  # noqa: ANN202
    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        return shift + np.sign(rng.standard_normal((n, 1))) + 0.1 * rng.standard_normal((n, 1))

    return sampler


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_alignment_transfers_the_barycenter_shape(seed: int) -> None:
    """Under the method's premise (the local law is a translate of the barycenter), alignment finds
    the translation and keeps the shape, which a generator trained on the samples alone does not
    learn at the same small budget (it starts as a Gaussian). With 10 samples the W1-optimal shift
    also depends on how many fell in each bump, so 100 samples make this a check of mechanics."""
    target = _two_bumps(3.0)
    local = target(100, np.random.default_rng(seed))
    res = fast_adapt(_TwoBumps(), local, steps=5, warmup=10, align_steps=30, align_lr=5e-2, config=ONE_SIDED,
                     hidden=(16, 16), seed=seed)
    assert isinstance(res.generator, ShiftScale)  # a non-MLP generator comes back wrapped
    assert res.shift is not None and res.shift[0] == pytest.approx(3.0, abs=0.25)
    alone = train_local(local, steps=40, config=ONE_SIDED, hidden=(16, 16), seed=seed)
    a = sample_w1_score(res, target, n_samples=300, n_repeats=3, seed=seed)
    b = sample_w1_score(alone, target, n_samples=300, n_repeats=3, seed=seed)
    assert a.w1 < 0.3 < b.w1


@pytest.mark.parametrize("seed", [0, 1])
def test_alignment_training_corrects_a_mean_biased_start(seed: int) -> None:
    """The shift starts at the difference of the means; with 5% outliers at 30 that start is off by
    about 1.35 (4.35 instead of about 3), and the alignment steps, driven by the local critic,
    move it most of the way back to the translation of the bulk of the data."""
    local = _two_bumps(3.0)(100, np.random.default_rng(seed))
    local[:5] = 30.0
    start = float(local.mean())
    assert start > 4.2
    res = fast_adapt(_TwoBumps(), local, steps=1, warmup=10, align_steps=100, align_lr=5e-2, config=ONE_SIDED,
                     hidden=(16, 16), seed=seed)
    assert res.shift is not None and abs(res.shift[0] - 3.0) < 0.6 < abs(start - 3.0)


def test_callback_sees_both_stages_and_stops() -> None:
    seen: list[tuple[int, str]] = []
    res = fast_adapt(_bary(), _local(1.0)(20, np.random.default_rng(2)), steps=5, warmup=0, align_steps=3,
                     config=SMALL, hidden=(8,), seed=0,
                     callback=lambda step, info: seen.append((step, info["stage"])) or step < 5)
    assert seen == [(1, "align"), (2, "align"), (3, "align"), (4, "refine"), (5, "refine")]
    assert res.align_steps == 3 and res.steps == 2
    seen.clear()
    res = fast_adapt(_bary(), _local(1.0)(20, np.random.default_rng(2)), steps=5, warmup=0, align_steps=3,
                     config=SMALL, hidden=(8,), seed=0,
                     callback=lambda step, info: seen.append((step, info["stage"])) or step < 2)
    assert seen == [(1, "align"), (2, "align")] and res.align_steps == 2 and res.steps == 0


def test_explicit_barycenter_is_aligned_too() -> None:
    """A barycenter given as samples is pushed through the alignment map for the second critic."""
    from otbary.neural.adaptation import _transformed
    from otbary.neural.samplers import as_sampler

    w = ShiftScale(_bary(), torch.tensor([0.0]), 0.5)
    with torch.no_grad():
        w.shift.fill_(4.0)  # +2 in data units
    s = _transformed(as_sampler(np.zeros((5, 1)), "b"), w)
    np.testing.assert_allclose(s(3, None).numpy(), 2.0)
    res = fast_adapt(_bary(), _local(2.0)(20, np.random.default_rng(0)), np.zeros((50, 1)), steps=2, warmup=2,
                     align_steps=2, config=SMALL, hidden=(8,), seed=0)
    assert np.all(np.isfinite(np.asarray(res.history["w1"])))


def test_zero_barycenter_weight_is_plain_finetuning_and_history_is_finite() -> None:
    seen = []
    res = fast_adapt(_bary(), _local(1.0)(20, np.random.default_rng(2)), weights=(1.0, 0.0), steps=5,
                     warmup=0, align_steps=0, config=SMALL, hidden=(8,), seed=0,
                     callback=lambda step, info: seen.append(step) or step < 3)
    assert seen == [1, 2, 3] and res.steps == 3 and res.align_steps == 0  # stopped early
    assert res.shift is not None and np.all(res.shift == 0.0) and res.history["align_w1"] == []
    w1 = np.asarray(res.history["w1"])
    assert np.all(np.isfinite(w1)) and np.all(w1[:, 1] == 0.0)  # the barycenter critic was not trained


def test_adapt_config_uses_the_one_sided_penalty() -> None:
    assert ADAPT_CONFIG.one_sided and not LOCAL_CONFIG.one_sided
    assert ADAPT_CONFIG.critic_lr is not None and ADAPT_CONFIG.critic_lr > ADAPT_CONFIG.lr


def test_sample_w1_score_against_closed_form_and_floor() -> None:
    """Translates by 2 (theory fact 6): W1 = 2; a model equal to the target has excess about 0."""
    s = sample_w1_score(_local(2.0), _local(0.0), n_samples=1000, n_repeats=4, seed=0)
    assert s.w1 == pytest.approx(2.0, abs=0.1)
    assert s.interval[0] <= s.w1 <= s.interval[1]
    same = sample_w1_score(_local(0.0), _local(0.0), n_samples=500, n_repeats=6, seed=0)
    assert same.excess_interval[0] - 0.03 <= 0.0 <= same.excess_interval[1] + 0.03
    assert same.floor > 0  # the finite-sample bias the floor measures


def test_sample_w1_score_values_are_exact_w1() -> None:
    """Each repeat's value is the exact W1 between the two draws (checked by scipy on fixed arrays)."""
    x = np.random.default_rng(0).normal(size=(50, 1))
    y = np.random.default_rng(1).normal(size=(50, 1)) + 1.0
    # arrays are resampled with replacement: draw the same indices scipy sees via a sampler
    s = sample_w1_score(lambda n, rng: x[:n], lambda n, rng: y[:n], n_samples=50, n_repeats=1, seed=0)
    assert s.values[0] == pytest.approx(wasserstein_distance(x[:, 0], y[:, 0]), abs=1e-6)


def test_train_local_and_generator_sampler() -> None:
    local = _local(3.0)(40, np.random.default_rng(0))
    res = train_local(local, steps=3, config=SMALL, hidden=(8,), seed=0)
    f = generator_sampler(res.generator)
    x = f(7, np.random.default_rng(0))
    assert x.shape == (7, 1) and x.dtype == np.float64 and np.all(np.isfinite(x))


def test_bad_input() -> None:
    bary = _bary(dim=2)
    good = np.zeros((10, 2))
    with pytest.raises(ValueError, match="weights"):
        fast_adapt(bary, good, weights=(0.3, 0.3, 0.4))
    with pytest.raises(ValueError, match="weights"):
        fast_adapt(bary, good, weights=(0.7, 0.7))
    with pytest.raises(ValueError, match="weights"):
        fast_adapt(bary, good, weights=(1.5, -0.5))
    with pytest.raises(ValueError, match="local"):
        fast_adapt(bary, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="local"):
        fast_adapt(bary, np.full((10, 2), np.nan))
    with pytest.raises(ValueError, match="local"):  # a sampler returning the wrong shape
        fast_adapt(bary, lambda n, rng: np.zeros((n, 3)), steps=1, warmup=0, config=SMALL)
    with pytest.raises(TypeError, match="generator"):
        fast_adapt("not a generator", good)
    with pytest.raises(ValueError, match="steps"):
        fast_adapt(bary, good, steps=0)
    with pytest.raises(ValueError, match="warmup"):
        fast_adapt(bary, good, warmup=-1)
    with pytest.raises(ValueError, match="align_steps"):
        fast_adapt(bary, good, align_steps=-1)
    with pytest.raises(ValueError, match="align_lr"):
        fast_adapt(bary, good, align_lr=0.0)
    with pytest.raises(TypeError, match="base"):
        ShiftScale("not a generator", torch.zeros(2), 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="spread"):
        ShiftScale(bary, torch.zeros(2), 0.0)
    with pytest.raises(ValueError, match="n_samples"):
        sample_w1_score(bary, good, n_samples=1)
    with pytest.raises(ValueError, match="n_repeats"):
        sample_w1_score(bary, good, n_repeats=0)
    with pytest.raises(ValueError, match="shape"):
        sample_w1_score(bary, np.zeros((10, 3)))


# ---- fusion by KL barycenters (geometric mixtures), the comparison to adaptation ----

def _gauss_logpdf(a: tuple[float, ...], s: float = 0.5):  # noqa: ANN202
    c = np.asarray(a, dtype=float)
    return lambda x: -((np.asarray(x) - c) ** 2).sum(1) / (2 * s * s) - c.size / 2 * np.log(2 * np.pi * s * s)


def test_geometric_mixture_of_gaussians_closed_form() -> None:
    """prod N(a_k, s^2 I)^lambda_k / Z = N(sum lambda_k a_k, s^2 I), log Z = -Var_lambda(a) / (2 s^2)."""
    import otbary as ob
    from otbary.neural.fusion import fit_fusion, geometric_mixture

    centers = [(0.0, 0.0), (4.0, 0.0), (0.0, 4.0)]
    lam = np.array([0.125, 0.5, 0.375])
    g = ob.Grid(shape=(48, 48), spacing=8 / 47, origin=(-2.0, -2.0))
    m = geometric_mixture([_gauss_logpdf(c) for c in centers], lam, g)
    mean = (m.points * m.weights[:, None]).sum(0)
    np.testing.assert_allclose(mean, lam @ np.array(centers), atol=1e-6)
    cov = ((m.points - mean) ** 2 * m.weights[:, None]).sum(0)
    np.testing.assert_allclose(cov, 0.25, rtol=1e-3)
    # maximum likelihood on many samples of the mixture recovers lambda and log Z
    x = lam @ np.array(centers) + 0.5 * np.random.default_rng(0).standard_normal((4000, 2))
    res = fit_fusion([_gauss_logpdf(c) for c in centers], x, g)
    assert res.converged
    np.testing.assert_allclose(res.weights, lam, atol=0.02)
    a = np.array(centers)
    var = res.weights @ (a**2).sum(1) - ((res.weights @ a) ** 2).sum()
    assert res.log_z == pytest.approx(-var / (2 * 0.25), abs=1e-3)


def test_fusion_bad_input() -> None:
    import otbary as ob
    from otbary.neural.fusion import fit_fusion, geometric_mixture, kde_log_density

    g = ob.Grid(shape=(8, 8), spacing=1.0)
    f = [_gauss_logpdf((0.0, 0.0)), _gauss_logpdf((1.0, 1.0))]
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="weights"):
        geometric_mixture(f, [0.5, 0.2, 0.3], g)
    with pytest.raises(ValueError, match="at least two"):
        fit_fusion(f[:1], x, g)
    with pytest.raises(ValueError, match="samples"):
        fit_fusion(f, np.zeros((5, 3)), g)
    with pytest.raises(ValueError, match="samples"):
        fit_fusion(f, np.full((5, 2), np.nan), g)
    with pytest.raises(ValueError, match="init"):
        fit_fusion(f, x, g, init=[1.0])
    with pytest.raises(TypeError, match="grid"):
        fit_fusion(f, x, "grid")
    with pytest.raises(ValueError, match=r"log_densities\[1\]"):
        fit_fusion([f[0], lambda y: np.zeros(3)], x, g)
    with pytest.raises(ValueError, match="samples"):
        kde_log_density(np.zeros((1, 2)))
