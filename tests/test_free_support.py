"""Free-support barycenters (theory facts 5, 6, 8) and Fermat–Weber points, against independent oracles.

Oracles: closed forms for translates (the weighted Fermat–Weber point of the shifts, found by
``scipy.optimize``), POT's ``ot.emd2`` and ``ot.lp.barycenter``, and brute-force Fermat–Weber
values on fine candidate sets.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from oracles import pot_w1
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.errors import SizeLimitError
from otbary.exact.free_support import MAX_TUPLES, barycenter_free, fermat_weber

RTOL = 1e-9


def fw_value_scipy(points: NDArray[np.float64], lam: NDArray[np.float64], metric: str) -> float:
    """min_y sum_k lambda_k d(y, x_k) by scipy: BFGS (euclidean), a small LP (cityblock, chebyshev)."""
    K, d = points.shape
    if metric == "euclidean":
        def f(y: NDArray[np.float64]) -> float:
            return float(lam @ np.linalg.norm(points - y, axis=1))

        starts = [lam @ points] + list(points + 1e-3)
        return min(scipy.optimize.minimize(f, s, method="Nelder-Mead",
                                           options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000}).fun
                   for s in starts)
    # variables (y, t): min lam.t, |y_c - x_kc| <= t_k (chebyshev) or sum_c s_kc <= t_k with |.| <= s_kc
    if metric == "chebyshev":
        rows, rhs = [], []
        for k in range(K):
            for c in range(d):
                for sgn in (1.0, -1.0):
                    r = np.zeros(d + K)
                    r[c], r[d + k] = sgn, -1.0
                    rows.append(r)
                    rhs.append(sgn * points[k, c])
        res = scipy.optimize.linprog(np.concatenate([np.zeros(d), lam]), A_ub=np.array(rows), b_ub=rhs,
                                     bounds=[(None, None)] * d + [(0, None)] * K, method="highs")
        return float(res.fun)
    return float(sum(  # cityblock separates per coordinate: brute force over the data values
        min(lam @ np.abs(v - points[:, c]) for v in points[:, c]) for c in range(d)))


# ----------------------------------------------------------------- Fermat–Weber


@pytest.mark.parametrize("metric", ob.METRICS)
@pytest.mark.parametrize("dim", [2, 3])
def test_fermat_weber_against_scipy(metric: str, dim: int) -> None:
    rng = np.random.default_rng(dim)
    T, K = 12, 4
    X = rng.integers(-3, 4, size=(T, K, dim)).astype(float)  # coincident and collinear points happen
    X[:4] = rng.normal(size=(4, K, dim))
    X[4, 1] = X[4, 0]
    lam = rng.random(K)
    lam /= lam.sum()
    y, value, lower = fermat_weber(X, lam, metric, scale=6.0)
    assert np.all(lower <= value + 1e-15)
    np.testing.assert_allclose(value, np.array([np.asarray(
        cdist(y[t : t + 1], X[t], metric=metric))[0] @ lam for t in range(T)]), rtol=1e-12)
    expected = np.array([fw_value_scipy(X[t], lam, metric) for t in range(T)])
    # value is attained, lower is certified: expected (optimal) lies between, up to scipy's accuracy
    assert np.all(value <= expected + 1e-9)
    assert np.all(lower <= expected + 1e-9)
    assert np.max(value - lower) <= 1e-11


def test_fermat_weber_vertex_cases() -> None:
    """A dominant weight puts the point on its input; the unweighted triangle with a 120+ degree angle too."""
    X = np.array([[[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]], [[0.0, 0.0], [1.0, 0.0], [-1.0, 0.1]]])
    for lam, expected in ((np.array([0.6, 0.2, 0.2]), [[0.0, 0.0], [0.0, 0.0]]),
                          (np.full(3, 1 / 3), [None, [0.0, 0.0]])):
        y, value, lower = fermat_weber(X, lam, "euclidean", scale=4.0)
        for t, e in enumerate(expected):
            if e is not None:
                np.testing.assert_array_equal(y[t], e)
        assert np.max(value - lower) <= 1e-12


# ------------------------------------------------------------ free-support barycenters


def _translates(rho: NDArray[np.float64], shifts: NDArray[np.float64]) -> list[ob.Measure]:
    return [ob.Measure(rho + a) for a in shifts]


@given(st.integers(0, 10_000))
@settings(max_examples=examples(10), deadline=None)
def test_translates_cityblock(seed: int) -> None:
    """theory fact 6: optimum sum_k lambda_k ||a_k - a*||_1, a* the coordinatewise weighted median."""
    rng = np.random.default_rng(seed)
    K = int(rng.integers(2, 5))
    rho = rng.integers(-3, 4, size=(3, 2)).astype(float)
    shifts = rng.integers(-5, 6, size=(K, 2)).astype(float)
    lam = rng.random(K) + 0.05
    lam /= lam.sum()
    expected = fw_value_scipy(shifts, lam, "cityblock")
    res = barycenter_free(_translates(rho, shifts), lam, "cityblock")
    assert res.cost == pytest.approx(expected, rel=RTOL, abs=1e-12)
    assert res.lower_bound == pytest.approx(expected, rel=RTOL, abs=1e-12)
    assert res.info["support"] == "free"


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
@pytest.mark.parametrize("dim", [2, 3])
def test_translates_fermat_weber_point(metric: str, dim: int) -> None:
    """Translates: optimum = weighted Fermat–Weber value of the shifts (scipy) for the metric's norm."""
    rng = np.random.default_rng(11 + dim)
    rho = rng.normal(size=(3, dim))
    shifts = rng.normal(0, 3, size=(3, dim))
    lam = np.array([0.3, 0.3, 0.4])
    res = ob.barycenter(_translates(rho, shifts), lam, metric=metric, support="free")
    expected = fw_value_scipy(shifts, lam, metric)
    assert res.cost == pytest.approx(expected, rel=1e-8)
    assert res.gap <= RTOL * res.cost


@pytest.mark.parametrize("metric", ob.METRICS)
def test_two_measures_fact_5(metric: str) -> None:
    rng = np.random.default_rng(5)
    nu1, nu2 = ob.Measure(rng.normal(size=(5, 2))), ob.Measure(rng.normal(2, 1, size=(4, 2)))
    w = pot_w1(nu1, nu2, metric)
    heavy = barycenter_free([nu1, nu2], np.array([0.65, 0.35]), metric)
    assert heavy.cost == pytest.approx(0.35 * w, rel=RTOL)
    assert pot_w1(heavy.measure, nu1, metric) <= 1e-9  # unique optimum: nu_1
    equal = barycenter_free([nu1, nu2], np.array([0.5, 0.5]), metric)
    assert equal.cost == pytest.approx(0.5 * w, rel=RTOL)


@pytest.mark.parametrize("metric", ob.METRICS)
@given(seed=st.integers(0, 10_000))
@settings(max_examples=examples(5), deadline=None)
def test_free_never_worse_than_fixed_support(metric: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    K = int(rng.integers(2, 4))
    sizes = rng.integers(2, 6, size=K)
    measures = [ob.Measure(rng.normal(k, 1.0, size=(n, 2)), rng.random(n) + 0.1, normalize=True)
                for k, n in enumerate(sizes)]
    lam = rng.random(K) + 0.05
    lam /= lam.sum()
    free = barycenter_free(measures, lam, metric)
    fixed = ob.barycenter(measures, lam, metric=metric)
    assert free.cost <= fixed.cost + 1e-9 * fixed.cost
    assert free.gap <= RTOL * max(free.cost, 1.0)
    # the certificate's potentials are lambda_k-Lipschitz and sum to >= 0 everywhere
    z = np.vstack([free.measure.points, rng.normal(0.5, 2.0, size=(50, 2))])
    total = sum(g(z) for g in free.potentials or [])
    assert np.min(total) >= -1e-9
    for g in free.potentials or []:
        assert g.max_violation() <= 1e-12
    # the barycenter's recorded costs are exact
    np.testing.assert_allclose(free.costs, [pot_w1(free.measure, m, metric) for m in measures],
                               rtol=1e-9, atol=1e-12)


def test_free_support_on_the_line_matches_closed_form() -> None:
    rng = np.random.default_rng(2)
    measures = [ob.Measure(rng.normal(k, 1.0, size=5)) for k in range(3)]
    lam = np.array([0.3, 0.3, 0.4])
    closed = ob.barycenter(measures, lam)
    for metric in ob.METRICS:
        assert barycenter_free(measures, lam, metric).cost == pytest.approx(closed.cost, rel=RTOL)


def test_free_support_single_measure_and_merging() -> None:
    nu = ob.Measure([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]], [0.25, 0.25, 0.5])
    res = barycenter_free([nu], np.array([1.0]), "euclidean")
    assert res.cost == 0.0
    assert res.measure.size == 2  # the coincident atoms are merged


def test_free_support_size_limit() -> None:
    n = int(round(MAX_TUPLES ** (1 / 3))) + 2
    measures = [ob.Measure(np.arange(n, dtype=float)[:, None] + k) for k in range(3)]
    with pytest.raises(SizeLimitError, match=f"{n} x {n} x {n}"):
        barycenter_free(measures, np.full(3, 1 / 3), "cityblock")
    measures3 = [ob.Measure(np.random.default_rng(k).normal(size=(28, 3))) for k in range(3)]
    with pytest.raises(SizeLimitError, match="MAX_TUPLES_CHEBYSHEV_LP"):
        barycenter_free(measures3, np.full(3, 1 / 3), "chebyshev")


@pytest.mark.parametrize("metric", ob.METRICS)
def test_coincident_inputs_cost_zero(metric: str) -> None:
    """All atoms at one point (diameter zero): rounding in the chebyshev rotation must not fail the check."""
    p = [[0.1, 0.7]]
    res = ob.barycenter([ob.Measure(p), ob.Measure(p)], metric=metric, support="free")
    assert res.cost <= 1e-15
    res = ob.barycenter([ob.Measure(p), ob.Measure(p)], metric=metric)
    assert res.cost <= 1e-15


@pytest.mark.parametrize("metric", ob.METRICS)
def test_large_offset_small_spread(metric: str) -> None:
    """Coordinates ~1e5 with a spread ~1e-7 (the pattern of a stress-test failure): Fermat–Weber
    points are computed relative to each tuple, so the certificate still closes."""
    rng = np.random.default_rng(17)
    offset = np.array([176110.86, -83843.03])
    measures = [ob.Measure(offset + 1e-7 * rng.normal(size=(4, 2)), rng.random(4) + 0.1, normalize=True)
                for _ in range(4)]
    lam = np.array([0.32, 0.36, 0.27, 0.05])
    free = barycenter_free(measures, lam, metric)
    fixed = ob.barycenter(measures, lam, metric=metric)
    assert free.cost <= fixed.cost * (1 + 1e-6)
    assert free.gap <= 1e-9 * max(free.cost, 1e-6 * 176110.86)
