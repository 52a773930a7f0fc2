"""1D closed forms (theory facts 4, 5) against independent oracles.

Oracles: ``scipy.stats.wasserstein_distance``, POT's ``ot.emd2`` and ``ot.lp.barycenter``,
and closed forms for translates and discretised Gaussians (``scipy.stats.norm``).
"""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.integrate
import scipy.stats
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.exact.onedim import barycenter_1d, cdf, quantile_function, w1_1d, weighted_lower_median
from otbary.exact.pointcloud import w1_points

RTOL = 1e-9


@st.composite
def line_measures(draw: st.DrawFn, max_atoms: int = 8) -> ob.Measure:
    """A measure on the line with a few atoms (possibly repeated) and positive masses."""
    n = draw(st.integers(1, max_atoms))
    coords = st.floats(-10, 10, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
    x = np.array(draw(st.lists(coords, min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)))
    return ob.Measure(x, w, normalize=True)


@st.composite
def weights(draw: st.DrawFn, k: int) -> NDArray[np.float64]:
    w = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    if w.sum() <= 1e-6:
        w = np.ones(k)
    return w / w.sum()


def scipy_w1(mu: ob.Measure, nu: ob.Measure) -> float:
    return float(scipy.stats.wasserstein_distance(mu.points[:, 0], nu.points[:, 0], mu.weights, nu.weights))


def objective(mu: ob.Measure, measures: list[ob.Measure], lam: NDArray[np.float64]) -> float:
    return float(sum(lk * scipy_w1(mu, nu) for lk, nu in zip(lam, measures, strict=True)))


# ----------------------------------------------------------------------------- W1


@given(line_measures(), line_measures())
@settings(max_examples=examples(40), deadline=None)
def test_w1_1d_matches_scipy_and_is_certified(mu: ob.Measure, nu: ob.Measure) -> None:
    res = w1_1d(mu, nu, "euclidean")
    assert res.cost == pytest.approx(scipy_w1(mu, nu), rel=RTOL, abs=1e-12)
    assert res.lower_bound == pytest.approx(res.cost, rel=RTOL, abs=1e-12)
    assert res.potential.max_violation() <= 1e-12
    assert res.method == "1d"


@pytest.mark.parametrize("metric", ob.METRICS)
def test_w1_1d_agrees_with_network_simplex_paths(metric: str) -> None:
    rng = np.random.default_rng(3)
    mu = ob.Measure(rng.normal(size=40), rng.random(40), normalize=True)
    nu = ob.Measure(rng.normal(1.0, 2.0, size=25), rng.random(25), normalize=True)
    pot = ot.emd2(mu.weights, nu.weights, cdist(mu.points, nu.points, metric=metric))
    assert w1_1d(mu, nu, metric).cost == pytest.approx(pot, rel=RTOL)
    assert w1_points(mu, nu, metric).cost == pytest.approx(pot, rel=RTOL)
    assert ob.w1(mu, nu, metric) == pytest.approx(pot, rel=RTOL)


def test_w1_1d_of_identical_measures_is_zero() -> None:
    mu = ob.Measure([0.0, 1.0, 1.0, 3.0])
    res = w1_1d(mu, ob.Measure([3.0, 1.0, 0.0, 1.0]), "cityblock")
    assert res.cost == 0.0 and abs(res.lower_bound) <= 1e-15


def test_cdf_and_quantile_function() -> None:
    mu = ob.Measure([2.0, 0.0, 1.0], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(cdf(mu, [-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 9.0]), [0, 0.25, 0.25, 0.5, 0.5, 1, 1])
    levels = [0.0, 0.1, 0.25, 0.3, 0.5, 0.51, 1.0]
    np.testing.assert_allclose(quantile_function(mu, levels), [0, 0, 0, 1, 1, 2, 2])
    with pytest.raises(ValueError, match="levels"):
        quantile_function(mu, [1.5])
    with pytest.raises(ValueError, match="dimension 1"):
        cdf(ob.Measure(np.zeros((2, 2))), [0.0])


@given(line_measures(), line_measures())
@settings(max_examples=examples(15), deadline=None)
def test_quantile_integral_equals_w1(mu: ob.Measure, nu: ob.Measure) -> None:
    """theory fact 4: int_0^1 |Q_mu - Q_nu| du, integrated exactly on the union of jump levels."""
    def jumps(m: ob.Measure) -> NDArray[np.float64]:
        return np.cumsum(m.weights[np.argsort(m.points[:, 0])])

    levels = np.unique(np.concatenate([[0.0, 1.0], jumps(mu), jumps(nu)]))
    levels = levels[(levels >= 0) & (levels <= 1)]
    mids = 0.5 * (levels[1:] + levels[:-1])
    value = np.sum(np.diff(levels) * np.abs(quantile_function(mu, mids) - quantile_function(nu, mids)))
    assert value == pytest.approx(scipy_w1(mu, nu), rel=1e-7, abs=1e-9)


def test_weighted_lower_median() -> None:
    values = np.array([[0.1, 0.5], [0.3, 0.2], [0.7, 0.9]])
    np.testing.assert_allclose(weighted_lower_median(values, np.array([0.25, 0.25, 0.5])), [0.3, 0.5])
    np.testing.assert_allclose(weighted_lower_median(values, np.array([0.6, 0.2, 0.2])), [0.1, 0.5])


# ----------------------------------------------------------------------- barycenter


@given(line_measures(6), line_measures(6))
@settings(max_examples=examples(25), deadline=None)
def test_two_measures_unequal_weights_give_the_heavier_one(nu1: ob.Measure, nu2: ob.Measure) -> None:
    """theory fact 5: lambda_1 > lambda_2 -> the barycenter is nu_1, optimum lambda_2 W1(nu_1, nu_2)."""
    lam = np.array([0.7, 0.3])
    res = barycenter_1d([nu1, nu2], lam, "euclidean")
    assert res.cost == pytest.approx(0.3 * scipy_w1(nu1, nu2), rel=RTOL, abs=1e-12)
    assert scipy_w1(res.measure, nu1) <= 1e-12
    assert res.lower_bound == pytest.approx(res.cost, rel=RTOL, abs=1e-12)
    assert res.info["support"] == "all measures on the line"


def test_equal_weights_optimum_is_half_the_distance() -> None:
    nu1, nu2 = ob.Measure([0.0, 1.0]), ob.Measure([3.0, 7.0], [0.2, 0.8])
    res = barycenter_1d([nu1, nu2], np.array([0.5, 0.5]), "euclidean")
    assert res.cost == pytest.approx(0.5 * scipy_w1(nu1, nu2), rel=RTOL)


@given(st.integers(2, 4).flatmap(lambda k: st.tuples(st.lists(line_measures(6), min_size=k, max_size=k),
                                                     weights(k))))
@settings(max_examples=examples(30), deadline=None)
def test_barycenter_1d_matches_pot_lp_on_merged_atoms(
    case: tuple[list[ob.Measure], NDArray[np.float64]],
) -> None:
    """The closed form equals POT's LP barycenter on the merged atoms, and is certified."""
    measures, lam = case
    res = ob.barycenter(measures, lam, metric="euclidean")
    support = np.unique(np.concatenate([m.points[:, 0] for m in measures]))
    hists = np.stack([np.bincount(np.searchsorted(support, m.points[:, 0]), m.weights, support.size)
                      for m in measures], axis=1)
    M = np.abs(support[:, None] - support[None, :])
    pot_bary = ot.lp.barycenter(hists, M, lam)
    pot_value = sum(lk * ot.emd2(pot_bary, hists[:, k], M) for k, lk in enumerate(lam))
    assert res.cost == pytest.approx(pot_value, rel=1e-7, abs=1e-9)
    assert res.cost == pytest.approx(objective(res.measure, measures, lam), rel=RTOL, abs=1e-12)
    assert res.gap <= RTOL * max(res.cost, 1.0)
    for g, lk in zip(res.potentials or [], lam, strict=True):
        assert g.lipschitz == pytest.approx(lk)
        assert g.max_violation() <= 1e-12


def test_barycenter_1d_beats_any_support() -> None:
    """Optimal over all measures: a fine grid support cannot do better."""
    rng = np.random.default_rng(0)
    measures = [ob.Measure(rng.normal(k, 1.0, size=7)) for k in range(3)]
    lam = np.array([0.2, 0.5, 0.3])
    closed = ob.barycenter(measures, lam).cost
    grid = np.linspace(-3, 5, 161)
    fixed = ob.barycenter(measures, lam, support=grid).cost
    assert closed <= fixed + 1e-12


def test_translates_on_the_line() -> None:
    """theory fact 6: optimum sum_k lambda_k |a_k - a*| with a* the weighted median of the shifts."""
    rho = np.array([0.0, 0.4, 1.5, 2.0])
    shifts = np.array([-1.0, 0.5, 4.0, 6.0])
    lam = np.array([0.1, 0.3, 0.35, 0.25])
    a_star = 4.0  # cumulative weights 0.1, 0.4, 0.75 -> lower weighted median
    res = ob.barycenter([ob.Measure(rho + a) for a in shifts], lam)
    assert res.cost == pytest.approx(float(lam @ np.abs(shifts - a_star)), rel=RTOL)
    assert scipy_w1(res.measure, ob.Measure(rho + a_star)) <= 1e-12


def _gaussian_quantiles(m: float, s: float, n: int) -> NDArray[np.float64]:
    return np.asarray(m + s * scipy.stats.norm.ppf((np.arange(n) + 0.5) / n))


def test_discretised_gaussians_location_family() -> None:
    """N(m_k, s): optimum sum_k lambda_k |m_k - m*| (m* weighted median), exact on quantile samples."""
    means, lam = np.array([-2.0, 0.5, 1.0, 3.0]), np.array([0.3, 0.15, 0.3, 0.25])
    measures = [ob.Measure(_gaussian_quantiles(m, 1.3, 200)) for m in means]
    res = ob.barycenter(measures, lam)
    assert res.cost == pytest.approx(float(lam @ np.abs(means - 1.0)), rel=1e-9)


def test_discretised_gaussians_location_scale() -> None:
    """N(m_k, s_k): int_0^1 sum_k lambda_k |Q*(u) - Q_k(u)| du, Q* the pointwise weighted median."""
    means, sds, lam = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 2.0, 1.0]), np.array([0.3, 0.3, 0.4])

    def integrand(u: float) -> float:
        q = means + sds * scipy.stats.norm.ppf(u)
        q_star = weighted_lower_median(q[:, None], lam)[0]
        return float(lam @ np.abs(q - q_star))

    exact, _ = scipy.integrate.quad(integrand, 0, 1, limit=400, points=[0.1, 0.3, 0.5, 0.7, 0.9])
    n = 2000
    measures = [ob.Measure(_gaussian_quantiles(m, s, n)) for m, s in zip(means, sds, strict=True)]
    res = ob.barycenter(measures, lam)
    assert res.cost == pytest.approx(exact, rel=5e-3)


def test_barycenter_1d_single_measure() -> None:
    nu = ob.Measure([0.0, 2.0, 5.0], [0.2, 0.3, 0.5])
    res = barycenter_1d([nu], np.array([1.0]), "chebyshev")
    assert res.cost == 0.0
    assert scipy_w1(res.measure, nu) == 0.0
