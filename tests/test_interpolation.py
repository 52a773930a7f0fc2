"""Displacement interpolation and the recursive pairwise barycenter (theory facts 5 and 7).

Oracles: POT's ``ot.emd2`` (W1 between point clouds, with scipy's ``cdist``),
``scipy.stats.wasserstein_distance`` (1D), the closed forms of facts 5 and 7, and a closed form
for the W1 error of quantile-discretised Gaussians.
"""

from __future__ import annotations

import itertools

import numpy as np
import ot
import pytest
import scipy.integrate
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.errors import SizeLimitError
from otbary.exact.onedim import quantile_function
from otbary.interpolation import pairwise_lower_bound
from otbary.plans import optimal_plan
from otbary.rebin import rebin, rebin_cost, rebin_error_bound
from otbary.testing import strategies as ots

TOL = 1e-9


def emd_w1(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    """Oracle: POT's exact W1 on the atoms (grid histograms read as point clouds)."""
    M = cdist(mu.points, nu.points, metric=metric)
    return float(ot.emd2(np.array(mu.weights), np.array(nu.weights), M, numItermax=10**7))


def scale_of(*ms: ob.Measure) -> float:
    return 1.0 + max(float(np.abs(m.points).max()) for m in ms)


times = st.floats(0.0, 1.0, allow_nan=False)


# --------------------------------------------------------------------------------------
# Geodesic identities (fact 7)
# --------------------------------------------------------------------------------------


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(ots.point_clouds(d), ots.point_clouds(d))),
       ots.metrics(), times)
def test_geodesic_identities_point_clouds(pair: tuple[ob.Measure, ob.Measure], metric: str, t: float) -> None:
    mu, nu = pair
    W = emd_w1(mu, nu, metric)
    mt = ob.interpolate(mu, nu, t, metric)
    tol = TOL * scale_of(mu, nu)
    assert mt.grid is None
    assert abs(emd_w1(mu, mt, metric) - t * W) <= tol
    assert abs(emd_w1(mt, nu, metric) - (1 - t) * W) <= tol
    # any coupling moves the mean linearly
    np.testing.assert_allclose(mt.mean(), (1 - t) * mu.mean() + t * nu.mean(), atol=tol)


@given(ots.grids(dims=(1, 2, 3), max_side=5, max_size=30).flatmap(
    lambda g: st.tuples(ots.grid_measures(g), ots.grid_measures(g))), ots.metrics(), times)
def test_geodesic_identities_grids(pair: tuple[ob.Measure, ob.Measure], metric: str, t: float) -> None:
    mu, nu = pair
    W = ob.w1(mu, nu, metric)  # grid flow (or closed form on the line)
    assert abs(W - emd_w1(mu, nu, metric)) <= TOL * scale_of(mu, nu)
    mt = ob.interpolate(mu, nu, t, metric)
    tol = TOL * scale_of(mu, nu)
    assert abs(emd_w1(mu, mt, metric) - t * W) <= tol
    assert abs(emd_w1(mt, nu, metric) - (1 - t) * W) <= tol


@given(ots.grids(dims=(1, 2), max_side=5, max_size=25).flatmap(
    lambda g: st.tuples(ots.grid_measures(g), ots.grid_measures(g))), ots.metrics(), times)
def test_rebinned_geodesic_within_documented_error(pair: tuple[ob.Measure, ob.Measure], metric: str,
                                                   t: float) -> None:
    mu, nu = pair
    grid = mu.grid
    assert grid is not None
    W = emd_w1(mu, nu, metric)
    cloud = ob.interpolate(mu, nu, t, metric)
    binned = ob.interpolate(mu, nu, t, metric, rebin=True)
    assert binned.grid == grid
    err = rebin_cost(cloud, grid, metric)
    assert err <= rebin_error_bound(grid, metric) + TOL
    tol = TOL * scale_of(mu, nu)
    assert emd_w1(cloud, binned, metric) <= err + tol
    assert abs(emd_w1(mu, binned, metric) - t * W) <= err + tol
    assert abs(emd_w1(binned, nu, metric) - (1 - t) * W) <= err + tol


def test_rebinned_error_is_not_zero_in_general() -> None:
    """The re-binning error is real (so the test above checks a non-trivial bound)."""
    g = ob.Grid((3, 3))
    mu = ob.Measure.on_grid(g, np.eye(9)[0])  # Dirac at (0, 0)
    nu = ob.Measure.on_grid(g, np.eye(9)[8])  # Dirac at (2, 2)
    cloud = ob.interpolate(mu, nu, 0.25, "euclidean")
    err = rebin_cost(cloud, g, "euclidean")  # (0.5, 0.5) split over 4 corners at distance sqrt(1/2)
    assert err == pytest.approx(np.sqrt(0.5))
    assert err <= rebin_error_bound(g, "euclidean")


@given(ots.grids(dims=(1, 2, 3), max_side=4, max_size=30), st.data(), ots.metrics())
def test_rebin_preserves_mass_and_mean(grid: ob.Grid, data: st.DataObject, metric: str) -> None:
    n = data.draw(st.integers(1, 6))
    lo = np.asarray(grid.origin)
    hi = lo + np.asarray(grid.spacing) * (np.asarray(grid.shape) - 1)
    u = np.array(data.draw(st.lists(st.lists(st.floats(0.0, 1.0), min_size=grid.ndim, max_size=grid.ndim),
                                    min_size=n, max_size=n)))
    pts = lo + u * (hi - lo)
    cloud = ob.Measure(pts, data.draw(ots.weights(n)))
    binned = rebin(cloud, grid)
    assert abs(binned.weights.sum() - 1) <= 1e-12
    np.testing.assert_allclose(binned.mean(), cloud.mean(), atol=1e-9 * (1 + np.abs(hi).max()))
    err = rebin_cost(cloud, grid, metric)
    assert 0.0 <= err <= rebin_error_bound(grid, metric) * (1 + 1e-12)
    assert emd_w1(cloud, binned, metric) <= err + 1e-9 * (1 + np.abs(hi).max())


def test_rebin_of_nodes_is_exact_and_chebyshev_bound_is_half_diagonal() -> None:
    g = ob.Grid((4, 5), spacing=(0.5, 2.0), origin=(-1.0, 3.0))
    h = ob.Measure.on_grid(g, np.arange(20.0), normalize=True)
    np.testing.assert_allclose(rebin(h.compress(), g).weights, h.weights, atol=1e-15)
    assert rebin_cost(h, g, "euclidean") <= 1e-12
    assert rebin_error_bound(g, "cityblock") == pytest.approx(1.25)
    assert rebin_error_bound(g, "euclidean") == pytest.approx(np.hypot(0.5, 2.0) / 2)
    # chebyshev: a point at fractional position (0.39, 0.39) of a square cell costs more than h/2
    sq = ob.Grid((2, 2))
    cost = rebin_cost(ob.Measure([[0.39, 0.39]]), sq, "chebyshev")
    assert 0.5 < cost <= rebin_error_bound(sq, "chebyshev")


# --------------------------------------------------------------------------------------
# 1D: quantile functions
# --------------------------------------------------------------------------------------


@given(ots.point_clouds(1, max_size=8), ots.point_clouds(1, max_size=8), times)
def test_1d_interpolation_averages_quantiles(mu: ob.Measure, nu: ob.Measure, t: float) -> None:
    mt = ob.interpolate(mu, nu, t)
    u = np.linspace(0.0005, 0.9995, 400)
    np.testing.assert_allclose(quantile_function(mt, u),
                               (1 - t) * quantile_function(mu, u) + t * quantile_function(nu, u),
                               atol=1e-9 * scale_of(mu, nu))
    W = scipy.stats.wasserstein_distance(mu.points[:, 0], nu.points[:, 0], mu.weights, nu.weights)
    W0t = scipy.stats.wasserstein_distance(mu.points[:, 0], mt.points[:, 0], mu.weights, mt.weights)
    assert abs(W0t - t * W) <= 1e-9 * scale_of(mu, nu)


@given(ots.point_clouds(2, max_size=5), ots.point_clouds(2, max_size=5), ots.metrics(),
       st.lists(times, min_size=2, max_size=4))
def test_geodesic_is_one_geodesic(mu: ob.Measure, nu: ob.Measure, metric: str, ts: list[float]) -> None:
    path = ob.geodesic(mu, nu, ts, metric)
    W = emd_w1(mu, nu, metric)
    tol = TOL * scale_of(mu, nu)
    for (s, ms), (t, mt) in itertools.combinations(zip(ts, path, strict=True), 2):
        assert abs(emd_w1(ms, mt, metric) - abs(t - s) * W) <= tol


def test_plan_is_certified_against_the_grid_flow() -> None:
    from otbary.toys import disc, ring

    g = ob.Grid((12, 12), spacing=1 / 11)
    mu, nu = disc(g, center=(0.3, 0.3), radius=0.2), ring(g, center=(0.6, 0.6), radius=0.3, width=0.1)
    for metric in ("cityblock", "chebyshev"):
        plan = optimal_plan(mu, nu, metric)
        assert plan.cost == pytest.approx(ob.w1(mu, nu, metric), rel=1e-9)
        assert abs(plan.mass.sum() - 1) <= 1e-12
        assert plan.mass.size <= np.count_nonzero(mu.weights) + np.count_nonzero(nu.weights) - 1


def test_size_limit_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import otbary.exact.pointcloud as pc

    monkeypatch.setattr(pc, "MAX_PLAN_ENTRIES", 10)
    mu = ob.Measure(np.random.default_rng(0).normal(size=(5, 2)))
    with pytest.raises(SizeLimitError, match="MAX_PLAN_ENTRIES"):
        ob.interpolate(mu, mu, 0.5)


# --------------------------------------------------------------------------------------
# Recursive barycenter
# --------------------------------------------------------------------------------------


def gaussian_atoms(mean: float, n: int) -> ob.Measure:
    """``N(mean, 1)`` discretised at the midpoints ``Q((i + 1/2) / n)`` of ``n`` equal-mass levels."""
    return ob.Measure(mean + scipy.stats.norm.ppf((np.arange(n) + 0.5) / n))


def gaussian_discretisation_error(n: int) -> float:
    r"""``W1(gaussian_atoms(m, n), N(m, 1))`` in closed form.

    On the level interval ``[a, b]`` with midpoint quantile ``c``,
    ``int_a^b |Q(u) - c| du = 2 phi(c) - phi(Q(a)) - phi(Q(b))`` (``int x phi = -phi``).
    """
    edges = scipy.stats.norm.pdf(scipy.stats.norm.ppf(np.arange(n + 1) / n))
    mids = scipy.stats.norm.pdf(scipy.stats.norm.ppf((np.arange(n) + 0.5) / n))
    return float(np.sum(2 * mids - edges[:-1] - edges[1:]))


def test_gaussian_discretisation_error_formula() -> None:
    n = 7
    x = scipy.stats.norm.ppf((np.arange(n) + 0.5) / n)
    direct = sum(scipy.integrate.quad(lambda u, c=c: abs(scipy.stats.norm.ppf(u) - c), i / n, (i + 1) / n)[0]
                 for i, c in enumerate(x))
    assert gaussian_discretisation_error(n) == pytest.approx(direct, rel=1e-7)


@pytest.mark.parametrize("n1, n2", [(200, 200), (200, 317)])
def test_fact7_gaussians(n1: int, n2: int) -> None:
    """N(-2,1), N(2,1), weights .6/.4: recursion objective 1.92 against the optimum 1.6.

    Stated discretisation error, with ``e_k = W1(nu_hat_k, nu_k)``: the objective is
    ``lambda_k``-Lipschitz in each ``nu_k`` and the recursion's output moves by at most
    ``(1 - t) e_1 + t e_2`` (quantiles average), so the recursion objective is within
    ``sum_k lambda_k e_k + (1 - t) e_1 + t e_2`` of 1.92 and the optimum within
    ``sum_k lambda_k e_k`` of 1.6. Equal sizes: translates of one shape, both numbers exact.
    """
    lam = np.array([0.6, 0.4])
    nus = [gaussian_atoms(-2.0, n1), gaussian_atoms(2.0, n2)]
    e = np.array([gaussian_discretisation_error(n1), gaussian_discretisation_error(n2)])
    rec = ob.recursive_barycenter(nus, lam, optimum=True)
    opt_err = float(lam @ e) if n1 != n2 else 1e-12
    rec_err = opt_err + float(0.6 * e[0] + 0.4 * e[1]) if n1 != n2 else 1e-12
    assert abs(rec.cost - 1.92) <= rec_err
    assert abs(rec.info["optimum"] - 1.6) <= opt_err
    assert rec.lower_bound <= rec.info["optimum"] + 1e-12
    assert rec.gap >= 0.32 - rec_err - opt_err
    assert rec.measure.mean()[0] == pytest.approx(-0.4, abs=rec_err)
    assert rec.method == "recursive" and rec.status == "feasible"
    # without optimum=True the pairwise bound is also the optimum for K = 2
    assert ob.recursive_barycenter(nus, lam).lower_bound == pytest.approx(rec.info["optimum"], abs=1e-9)


@given(ots.point_clouds(2, max_size=5), ots.point_clouds(2, max_size=5), ots.metrics(),
       st.floats(0.05, 0.95))
def test_two_inputs_closed_form(mu: ob.Measure, nu: ob.Measure, metric: str, l1: float) -> None:
    """K = 2: the recursion costs ``2 lambda_1 lambda_2 W`` (fact 7); the optimum is ``min(lambda) W``."""
    lam = np.array([l1, 1 - l1])
    W = emd_w1(mu, nu, metric)
    rec = ob.recursive_barycenter([mu, nu], lam, metric)
    tol = TOL * scale_of(mu, nu)
    assert abs(rec.cost - 2 * lam[0] * lam[1] * W) <= tol
    assert abs(rec.lower_bound - lam.min() * W) <= tol


@given(ots.point_clouds(2, max_size=5), ots.point_clouds(2, max_size=5), ots.metrics())
def test_two_inputs_equal_weights_is_optimal(mu: ob.Measure, nu: ob.Measure, metric: str) -> None:
    rec = ob.recursive_barycenter([mu, nu], None, metric, optimum=True)
    W = emd_w1(mu, nu, metric)
    tol = TOL * scale_of(mu, nu)
    assert abs(rec.cost - W / 2) <= tol
    assert abs(rec.info["optimum"] - W / 2) <= tol
    assert abs(rec.gap) <= tol


def test_order_dependence_k3() -> None:
    """In 2D the recursion depends on the order of the inputs (here by about 0.3% of the objective)."""
    rng = np.random.default_rng(1)
    ms = [ob.Measure(rng.normal(size=(6, 2)) + c) for c in ([0, 0], [4, 0], [0, 4])]
    costs = [ob.recursive_barycenter([ms[i] for i in p], bound=False).cost
             for p in itertools.permutations(range(3))]
    assert max(costs) - min(costs) > 1e-3
    for p in itertools.permutations(range(3)):
        assert ob.recursive_barycenter([ms[i] for i in p]).lower_bound <= min(costs) + TOL


@given(st.lists(ots.point_clouds(1, max_size=5), min_size=3, max_size=3), ots.weights(3))
def test_1d_recursion_is_order_free(ms: list[ob.Measure], lam: np.ndarray) -> None:
    """In 1D every order gives the measure with quantile ``sum_k lambda_k Q_k``."""
    u = np.linspace(0.0005, 0.9995, 300)
    target = sum(lk * quantile_function(m, u) for lk, m in zip(lam, ms, strict=True))
    for p in itertools.permutations(range(3)):
        b = ob.recursive_barycenter([ms[i] for i in p], lam[list(p)], bound=False).measure
        np.testing.assert_allclose(quantile_function(b, u), target, atol=1e-9 * scale_of(*ms))


@given(st.lists(ots.point_clouds(2, max_size=3), min_size=3, max_size=3), ots.weights(3), ots.metrics())
def test_bounds_are_below_every_objective(ms: list[ob.Measure], lam: np.ndarray, metric: str) -> None:
    """The pairwise bound holds over all measures: below the free-support optimum and the recursion."""
    rec = ob.recursive_barycenter(ms, lam, metric)
    free = ob.barycenter(ms, lam, metric, support="free")
    tol = 1e-7 * scale_of(*ms)
    assert rec.lower_bound <= free.cost + tol
    assert rec.lower_bound <= rec.cost + tol
    assert rec.cost == pytest.approx(float(lam @ [emd_w1(rec.measure, m, metric) for m in ms]), abs=tol)


def test_optimum_default_support_contains_the_recursion() -> None:
    rng = np.random.default_rng(1)
    ms = [ob.Measure(rng.normal(size=(5, 2)) + c) for c in ([0, 0], [4, 0], [0, 4])]
    rec = ob.recursive_barycenter(ms, metric="chebyshev", optimum=True)
    assert rec.lower_bound <= rec.cost + 1e-9
    assert rec.info["optimum"] <= rec.cost + 1e-9
    assert rec.gap >= -1e-9


def test_recursion_on_a_grid_with_rebinning() -> None:
    from otbary.toys import disc, gaussian, ring

    g = ob.Grid((10, 10), spacing=1 / 9)
    ms = [disc(g, center=(0.3, 0.3), radius=0.2), ring(g, center=(0.6, 0.6), radius=0.3, width=0.1),
          gaussian(g, center=(0.7, 0.3), sigma=0.1)]
    rec = ob.recursive_barycenter(ms, metric="cityblock", rebin=True, optimum=True)
    assert rec.measure.grid == g
    assert rec.info["support"] is not None
    assert rec.info["optimum"] <= rec.cost + 1e-9
    assert rec.lower_bound <= rec.info["optimum"] + 1e-9


def test_recursion_rebins_onto_a_given_grid() -> None:
    g = ob.Grid((5, 5), spacing=0.25)
    ms = [ob.Measure([[0.1, 0.1]]), ob.Measure([[0.9, 0.2]]), ob.Measure([[0.3, 0.8]])]
    for lam in ([0.0, 0.0, 1.0], [0.2, 0.3, 0.5]):
        rec = ob.recursive_barycenter(ms, lam, rebin=g)
        assert rec.measure.grid == g
        np.testing.assert_allclose(rec.measure.mean(), np.array(lam) @ [m.points[0] for m in ms], atol=1e-12)


def test_zero_weights() -> None:
    a, b, c = ob.Measure([[0.0, 0.0]]), ob.Measure([[1.0, 0.0]]), ob.Measure([[0.0, 3.0]])
    rec = ob.recursive_barycenter([a, b, c], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(rec.measure.points, c.points)
    assert rec.cost == pytest.approx(0.0)
    rec = ob.recursive_barycenter([a, b, c], [0.0, 0.5, 0.5])
    np.testing.assert_allclose(rec.measure.points, [[0.5, 1.5]])
    assert rec.info["steps"] == [1.0, 1.0, 0.5]


def test_pairwise_bound_k1_and_weights() -> None:
    a = ob.Measure([[0.0, 0.0]])
    assert pairwise_lower_bound([a], [1.0])[0] == 0.0
    rec = ob.recursive_barycenter([a], None)
    assert rec.cost == 0.0 and rec.lower_bound == 0.0
    assert ob.recursive_barycenter([a, a], bound=False).lower_bound == -np.inf


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [-0.1, 1.5, float("nan"), float("inf")])
def test_bad_t_value(t: float) -> None:
    mu = ob.Measure([[0.0, 0.0]])
    with pytest.raises(ValueError, match="t must"):
        ob.interpolate(mu, mu, t)
    with pytest.raises(ValueError, match=r"ts\[1\]"):
        ob.geodesic(mu, mu, [0.5, t])


@pytest.mark.parametrize("t", ["0.5", None, True, [0.5]])
def test_bad_t_type(t: object) -> None:
    mu = ob.Measure([[0.0, 0.0]])
    with pytest.raises(TypeError, match="t must"):
        ob.interpolate(mu, mu, t)  # type: ignore[arg-type]


def test_bad_measures_and_options() -> None:
    a, b = ob.Measure([[0.0, 0.0]]), ob.Measure([0.0, 1.0])
    with pytest.raises(ValueError, match="different dimensions"):
        ob.interpolate(a, b, 0.5)
    with pytest.raises(TypeError, match="nu must"):
        ob.interpolate(a, "b", 0.5)  # type: ignore[arg-type]
    # POT's habit: an array of points is the uniform empirical measure of its rows
    assert ob.interpolate(a, [[1.0, 0.0]], 0.5).points.tolist() == [[0.5, 0.0]]
    with pytest.raises(ValueError, match="measures have different dimensions"):
        ob.recursive_barycenter([a, b])
    with pytest.raises(ValueError, match="metric"):
        ob.interpolate(a, a, 0.5, "l2")
    with pytest.raises(ValueError, match="rebin=True"):
        ob.interpolate(a, a, 0.5, rebin=True)
    with pytest.raises(TypeError, match="rebin"):
        ob.interpolate(a, a, 0.5, rebin="grid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rebin grid has dimension"):
        ob.interpolate(a, a, 0.5, rebin=ob.Grid(3))
    with pytest.raises(ValueError, match="outside the grid"):
        ob.interpolate(a, ob.Measure([[5.0, 0.0]]), 0.5, rebin=ob.Grid((2, 2)))
    with pytest.raises(ValueError, match="ts must"):
        ob.geodesic(a, a, [])


@pytest.mark.parametrize("weights, match", [([1.0], "one entry per measure"), ([1.5, -0.5], "non-negative"),
                                            ([0.3, 0.3], "sum to one"), ([np.nan, 1.0], "NaN")])
def test_bad_weights(weights: list[float], match: str) -> None:
    a, b = ob.Measure([[0.0, 0.0]]), ob.Measure([[1.0, 0.0]])
    with pytest.raises(ValueError, match=match):
        ob.recursive_barycenter([a, b], weights)
