"""W1 identities and barycenter optimality on every exact path, against independent oracles.

Oracles (none calls otbary's solvers): POT's network simplex ``ot.emd2`` on the dense cost
``ot.dist``, ``scipy.stats.wasserstein_distance`` (1D), ``ot.lp.barycenter`` (fixed support),
a dense LP of all plans solved by ``scipy.optimize.linprog``, and the closed-form cases of
:mod:`otbary.testing.strategies` (theory facts 4, 5, 6), which are themselves checked
against POT here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np
import ot
import pytest
import scipy.optimize
import scipy.sparse as sp
import scipy.stats
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from oracles import pot_objective, pot_w1
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.measures import to_pot
from otbary.testing import (
    cdf_w1,
    check_1d_formula,
    check_barycenter_bounds,
    check_certificate,
    check_known_optimum,
    check_metric_axioms,
    check_mixture_geodesic,
    check_scaling,
    check_translation,
    mixture,
    shift_on_grid,
    translate,
)
from otbary.testing import strategies as ots

METRICS = ob.METRICS

# ======================================================================================
# Oracles
# ======================================================================================


def dist(x: NDArray[np.float64], y: NDArray[np.float64], metric: str) -> NDArray[np.float64]:
    """Cost matrix ``d(x_i, y_j)`` by ``scipy.spatial.distance.cdist``.

    (Not ``ot.dist(..., "euclidean")``: it computes ``sqrt(|x|^2 + |y|^2 - 2 x.y)``, whose
    cancellation error is about ``1e-8`` for coinciding points.)
    """
    return np.asarray(cdist(x, y, metric=metric), dtype=float)


def scipy_w1_1d(mu: ob.Measure, nu: ob.Measure) -> float:
    """``W1`` on the line by ``scipy.stats.wasserstein_distance``."""
    return float(scipy.stats.wasserstein_distance(mu.points[:, 0], nu.points[:, 0], mu.weights, nu.weights))


def pot_fixed_support_barycenter(
    support: NDArray[np.float64], measures: Sequence[ob.Measure], lam: Any, metric: str
) -> ob.Measure:
    """``ot.lp.barycenter`` on ``support`` (every input must live on ``support``)."""
    hist, M, _ = to_pot(measures, metric, support)
    b = ot.lp.barycenter(hist, M, np.asarray(lam), solver="highs-ds")
    b = np.maximum(np.asarray(b, dtype=float), 0.0)
    return ob.Measure(support, b / b.sum())


def linprog_barycenter_value(
    support: NDArray[np.float64], measures: Sequence[ob.Measure], lam: Any, metric: str
) -> float:
    """``min_{mu on support} sum_k lambda_k W1(mu, nu_k)`` as one dense LP (``scipy.optimize.linprog``).

    Variables ``mu`` (n) and plans ``pi_k`` (n x m_k); rows ``pi_k 1 = mu``,
    ``pi_k^T 1 = nu_k`` and ``1^T mu = 1``.
    """
    s = np.asarray(support, dtype=float)
    n = s.shape[0]
    nvar = n + sum(n * m.size for m in measures)
    cost = [np.zeros(n)]
    rows: list[Any] = []
    rhs: list[NDArray[np.float64]] = []
    offset = n
    for lk, m in zip(lam, measures, strict=True):
        mk = m.size
        cost.append(lk * dist(s, m.points, metric).ravel())
        block = np.arange(n * mk).reshape(n, mk) + offset
        r_out = sp.coo_matrix(
            (
                np.concatenate([np.ones(n * mk), -np.ones(n)]),
                (
                    np.concatenate([np.repeat(np.arange(n), mk), np.arange(n)]),
                    np.concatenate([block.ravel(), np.arange(n)]),
                ),
            ),
            shape=(n, nvar),
        )
        r_in = sp.coo_matrix((np.ones(n * mk), (np.tile(np.arange(mk), n), block.ravel())), shape=(mk, nvar))
        rows += [r_out, r_in]
        rhs += [np.zeros(n), np.asarray(m.weights)]
        offset += n * mk
    rows.append(sp.coo_matrix((np.ones(n), (np.zeros(n, dtype=int), np.arange(n))), shape=(1, nvar)))
    rhs.append(np.ones(1))
    res = scipy.optimize.linprog(
        np.concatenate(cost),
        A_eq=sp.vstack(rows).tocsr(),
        b_eq=np.concatenate(rhs),
        bounds=(0, None),
        method="highs-ds",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert res.status == 0, res.message
    return float(res.fun)


def ob_w1(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    """The solver under test, as a ``w1(mu, nu, metric)`` callable."""
    return ob.w1(mu, nu, metric)


def union_support(measures: Sequence[ob.Measure]) -> NDArray[np.float64]:
    return np.unique(np.concatenate([m.compress().points for m in measures]), axis=0)


# ======================================================================================
# Strategies for the paths
# ======================================================================================

PATHS = ("1d", "2d", "grid")


@st.composite
def triples(draw: st.DrawFn, path: str) -> tuple[ob.Measure, ob.Measure, ob.Measure]:
    """Three measures taking ``path`` in ``solve_w1``: 1D clouds, 2D clouds, or one grid."""
    if path == "1d":
        return tuple(draw(ots.point_clouds(dim=1, max_size=6)) for _ in range(3))  # type: ignore[return-value]
    if path == "2d":
        return tuple(draw(ots.point_clouds(dim=2, max_size=5)) for _ in range(3))  # type: ignore[return-value]
    g = draw(ots.grids(dims=(1, 2, 3), max_side=4, max_size=24))
    return tuple(draw(ots.grid_measures(g)) for _ in range(3))  # type: ignore[return-value]


def _scale(*ms: ob.Measure) -> float:
    return max(1.0, *(float(np.max(np.abs(m.points))) for m in ms))


# ======================================================================================
# A. The checkers can fail: they accept a correct solver and reject wrong ones
# ======================================================================================


def _squared_w1(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    x, a = mu.to_pot()
    y, b = nu.to_pot()
    return float(ot.emd2(a, b, dist(x, y, metric) ** 2))


def _w2(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    return float(np.sqrt(max(_squared_w1(mu, nu, metric), 0.0)))


def _euclidean_only(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    return pot_w1(mu, nu, "euclidean")


def _asymmetric(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    return pot_w1(mu, nu, metric) * (1.0 + 0.01 * float(mu.points[0, 0] > nu.points[0, 0]))


def _inflated(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    return 1.01 * pot_w1(mu, nu, metric)


def _max_distance(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    # an upper bound (independent coupling), not W1: violates W1(mu, mu) = 0
    return float(mu.weights @ dist(mu.points, nu.points, metric) @ nu.weights)


A = ob.Measure([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], [0.2, 0.3, 0.5])
B = ob.Measure([[2.0, 1.0], [-1.0, 0.5]], [0.6, 0.4])
C = ob.Measure([[1.0, 1.0]])
A1 = ob.Measure([0.0, 1.0, 4.0], [0.2, 0.5, 0.3])
B1 = ob.Measure([2.0, 3.0], [0.5, 0.5])


@pytest.mark.parametrize("metric", METRICS)
def test_checkers_accept_pot(metric: str) -> None:
    check_metric_axioms(pot_w1, A, B, C, metric)
    check_translation(pot_w1, A, B, [0.5, -1.5], metric)
    check_scaling(pot_w1, A, B, -2.5, metric)
    check_mixture_geodesic(pot_w1, A, B, 0.3, metric)
    check_1d_formula(pot_w1, A1, B1)


@pytest.mark.parametrize(
    ("solver", "check"),
    [
        (_max_distance, lambda w: check_metric_axioms(w, A, B, C, "euclidean")),
        (_asymmetric, lambda w: check_metric_axioms(w, A, B, C, "euclidean")),
        (_inflated, lambda w: check_translation(w, A, B, [1.0, 1.0], "euclidean")),
        (_euclidean_only, lambda w: check_translation(w, A, B, [1.0, 1.0], "cityblock")),
        (_squared_w1, lambda w: check_scaling(w, A, B, 2.0, "euclidean")),
        (_w2, lambda w: check_mixture_geodesic(w, A, B, 0.5, "euclidean")),
        (_inflated, lambda w: check_1d_formula(w, A1, B1)),
    ],
)
def test_checkers_reject_wrong_solvers(solver: Any, check: Any) -> None:
    with pytest.raises(AssertionError):
        check(solver)


@dataclass(frozen=True)
class FakeW1:
    cost: float
    lower_bound: float
    potential: ob.Potential
    metric: str = "euclidean"
    status: str = "optimal"


@dataclass(frozen=True)
class FakeBary:
    measure: ob.Measure
    cost: float
    lower_bound: float
    weights: NDArray[np.float64]


def test_certificate_checker_rejects_bad_certificates() -> None:
    mu, nu = ob.Measure([[0.0]]), ob.Measure([[1.0]])
    good = FakeW1(1.0, 1.0, ob.Potential([[0.0], [1.0]], [1.0, 0.0], "euclidean"))
    check_certificate(good, mu, nu)
    bad = [
        replace(good, potential=ob.Potential([[0.0], [1.0]], [2.0, 0.0], "euclidean"), lower_bound=2.0),
        replace(good, lower_bound=0.5),  # <f, mu - nu> = 1 != 0.5
        replace(good, potential=ob.Potential([[0.0], [1.0]], [0.5, 0.0], "euclidean"), lower_bound=0.5),
        replace(good, potential=ob.Potential([[0.0], [1.0]], [1.0, 0.0], "euclidean", lipschitz=2.0)),
        replace(good, status="max_iter"),
        replace(good, cost=float("nan")),
    ]
    for b in bad:
        with pytest.raises(AssertionError):
            check_certificate(b, mu, nu)
    check_certificate(bad[2], mu, nu, require_optimal=False)


def test_barycenter_checkers_reject_bad_results() -> None:
    nu1, nu2 = ob.Measure([[0.0]]), ob.Measure([[1.0]])
    lam = np.array([0.7, 0.3])
    check_barycenter_bounds(FakeBary(nu1, 0.3, 0.3, lam), [nu1, nu2], lam, "euclidean", pot_w1)
    for fake in [
        FakeBary(nu1, 0.25, 0.25, lam),  # cost is not J(measure)
        FakeBary(nu1, 0.3, 0.35, lam),  # lower bound above the cost
        FakeBary(nu2, 0.7, 0.7, lam),  # worse than the input nu1; bound above J(nu1)
        FakeBary(nu1, 0.3, 0.3, lam[::-1].copy()),  # wrong weights
        FakeBary(ob.Measure([[0.5]]), 0.5, 0.2, lam),  # gap
    ]:
        with pytest.raises(AssertionError):
            check_barycenter_bounds(fake, [nu1, nu2], lam, "euclidean", pot_w1)
    check_known_optimum(FakeBary(nu1, 0.3, 0.29, lam), 0.3)
    for fake in [FakeBary(nu1, 0.31, 0.3, lam), FakeBary(nu1, 0.29, 0.2, lam), FakeBary(nu1, 0.3, 0.31, lam)]:
        with pytest.raises(AssertionError):
            check_known_optimum(fake, 0.3)


# ======================================================================================
# B. The known-answer builders are right (checked with POT and an LP, not with otbary)
# ======================================================================================


@pytest.mark.parametrize("dim", [1, 2, 3])
@given(data=st.data())
def test_pushed_pairs_match_pot(dim: int, data: st.DataObject) -> None:
    case = data.draw(ots.pushed_pair_case(dim=dim))
    assert pot_w1(case.mu, case.nu, case.metric) == pytest.approx(case.w1, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("dim", [1, 2])
@given(data=st.data())
def test_translates_builder_matches_pot_and_lp(dim: int, data: st.DataObject) -> None:
    case = data.draw(ots.translates_case(dim=dim, on_grid=False, k=(2, 3)))
    ms, lam, metric = case.measures, case.weights, case.metric
    for j in range(len(ms)):
        for k in range(len(ms)):
            assert pot_w1(ms[j], ms[k], metric) == pytest.approx(case.pairwise[j, k], rel=1e-9, abs=1e-12)
    assert pot_objective(case.barycenter, ms, lam, metric) == pytest.approx(case.optimum, rel=1e-9, abs=1e-12)
    # no measure on (union of supports + optimal support) does better
    support = union_support([*ms, case.barycenter])
    assert linprog_barycenter_value(support, ms, lam, metric) == pytest.approx(
        case.optimum, rel=1e-7, abs=1e-9
    )


@given(case=ots.two_measures_case(dim=2))
def test_two_measures_builder_matches_lp(case: ots.KnownCase) -> None:
    ms, lam, metric = case.measures, case.weights, case.metric
    support = union_support(ms)
    assert linprog_barycenter_value(support, ms, lam, metric) == pytest.approx(
        case.optimum, rel=1e-7, abs=1e-9
    )


# ======================================================================================
# C. W1 identities on every path
# ======================================================================================


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_metric_axioms(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, rho = data.draw(triples(path))
    check_metric_axioms(ob_w1, mu, nu, rho, metric, atol=1e-9 * _scale(mu, nu, rho))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_certificate(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, _ = data.draw(triples(path))
    res = ob.solve_w1(mu, nu, metric)
    check_certificate(res, mu, nu, atol=1e-9 * _scale(mu, nu))
    assert res.metric == metric
    assert res.gap == pytest.approx(res.cost - res.lower_bound)
    assert float(res) == res.cost


@given(mu=ots.point_clouds(dim=1, max_size=8), nu=ots.point_clouds(dim=1, max_size=8))
def test_1d_formula_and_scipy(mu: ob.Measure, nu: ob.Measure) -> None:
    check_1d_formula(ob_w1, mu, nu)
    assert cdf_w1(mu, nu) == pytest.approx(scipy_w1_1d(mu, nu), rel=1e-9, abs=1e-12)


@given(g=ots.grids(dims=(1,), max_side=12), data=st.data())
def test_1d_grid_formula(g: ob.Grid, data: st.DataObject) -> None:
    mu, nu = data.draw(ots.grid_measures(g)), data.draw(ots.grid_measures(g))
    check_1d_formula(ob_w1, mu, nu, atol=1e-9 * _scale(mu, nu))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_translation(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, _ = data.draw(triples(path))
    a = data.draw(st.lists(st.floats(-3.0, 3.0, allow_subnormal=False), min_size=mu.dim, max_size=mu.dim))
    check_translation(ob_w1, mu, nu, a, metric)


def _padded(mu: ob.Measure, pad: int) -> ob.Measure:
    """``mu`` on a grid enlarged by ``pad`` nodes on each side (same spacing, same points)."""
    g = mu.grid
    assert g is not None
    big = ob.Grid(
        tuple(s + 2 * pad for s in g.shape),
        g.spacing,
        (np.asarray(g.origin) - pad * np.asarray(g.spacing)).tolist(),
    )
    values = np.zeros(big.shape)
    values[tuple(slice(pad, pad + s) for s in g.shape)] = mu.values()
    return ob.Measure.on_grid(big, values)


@pytest.mark.parametrize("metric", METRICS)
@settings(max_examples=examples(10))
@given(data=st.data())
def test_grid_shift_on_same_grid(metric: str, data: st.DataObject) -> None:
    """``W1(mu, mu shifted by whole steps) = ||steps * h||`` and invariance, on the grid path."""
    g = data.draw(ots.grids(dims=(1, 2, 3), max_side=3, max_size=12))
    mu = _padded(data.draw(ots.grid_measures(g)), 2)
    nu = _padded(data.draw(ots.grid_measures(g)), 2)
    steps = data.draw(st.lists(st.integers(-2, 2), min_size=g.ndim, max_size=g.ndim))
    moved = shift_on_grid(mu, steps)
    expected = float(ob.geometry.norm(np.asarray(steps) * np.asarray(g.spacing), metric))
    assert ob.w1(mu, moved, metric) == pytest.approx(expected, rel=1e-7, abs=1e-9 * _scale(mu))
    assert ob.w1(moved, shift_on_grid(nu, steps), metric) == pytest.approx(
        ob.w1(mu, nu, metric), rel=1e-7, abs=1e-9 * _scale(mu)
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_scaling(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, _ = data.draw(triples(path))
    s = data.draw(
        st.sampled_from([0.5, 3.0, 1e-3, 7.25]) if path == "grid" else st.sampled_from([-2.0, 0.5, 3.0])
    )
    check_scaling(ob_w1, mu, nu, s, metric, atol=1e-9 * _scale(mu, nu))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_mixture_geodesic(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, _ = data.draw(triples(path))
    t = data.draw(st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 0.5, 1.0, 1e-9])))
    check_mixture_geodesic(ob_w1, mu, nu, t, metric, atol=1e-9 * _scale(mu, nu))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_w1_matches_pot(path: str, metric: str, data: st.DataObject) -> None:
    mu, nu, _ = data.draw(triples(path))
    assert ob.w1(mu, nu, metric) == pytest.approx(pot_w1(mu, nu, metric), rel=1e-7, abs=1e-9 * _scale(mu, nu))


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("on_grid", [False, True])
@given(data=st.data())
def test_w1_known_pairs(dim: int, on_grid: bool, data: st.DataObject) -> None:
    case = data.draw(ots.pushed_pair_case(dim=dim, on_grid=on_grid))
    res = ob.solve_w1(case.mu, case.nu, case.metric)
    assert res.cost == pytest.approx(case.w1, rel=1e-7, abs=1e-9 * _scale(case.mu, case.nu))
    check_certificate(res, case.mu, case.nu, atol=1e-9 * _scale(case.mu, case.nu))


# ======================================================================================
# D. Barycenters: bounds, oracles, theory facts 4-6
# ======================================================================================


@st.composite
def bary_inputs(draw: st.DrawFn, path: str) -> tuple[list[ob.Measure], NDArray[np.float64]]:
    if path == "grid":
        g = draw(ots.grids(dims=(1, 2), max_side=5, max_size=16))
        ms = draw(ots.measure_lists(k=(2, 3), kind="grid", grid=g))
    else:
        ms = draw(ots.measure_lists(k=(2, 3), kind="points", dim=1 if path == "1d" else 2, max_size=4))
    return ms, draw(ots.weights(len(ms)))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("metric", METRICS)
@settings(max_examples=examples(15))
@given(data=st.data())
def test_barycenter_bounds_and_fixed_support_oracle(path: str, metric: str, data: st.DataObject) -> None:
    ms, lam = data.draw(bary_inputs(path))
    res = ob.barycenter(ms, lam, metric=metric)
    tol = 1e-9 * _scale(*ms)
    support = ms[0].grid.points if path == "grid" else union_support(ms)  # type: ignore[union-attr]
    pot_bary = pot_fixed_support_barycenter(support, ms, lam, metric)
    check_barycenter_bounds(res, ms, lam, metric, ob_w1, candidates=[pot_bary], atol=tol)
    assert res.method == "exact" and res.metric == metric
    assert res.gap == pytest.approx(res.cost - res.lower_bound)
    np.testing.assert_allclose(res.costs, [pot_w1(res.measure, m, metric) for m in ms], rtol=1e-7, atol=tol)
    # the support searched is the grid (grid path), the line (1D), or the union of supports
    optimum = linprog_barycenter_value(support, ms, lam, metric)
    assert res.cost == pytest.approx(optimum, rel=1e-7, abs=tol)
    if path == "grid":
        assert res.measure.grid == ms[0].grid


@pytest.mark.parametrize("metric", METRICS)
@settings(max_examples=examples(15))
@given(data=st.data())
def test_barycenter_on_given_support(metric: str, data: st.DataObject) -> None:
    ms, lam = data.draw(bary_inputs("2d"))
    support = data.draw(ots.point_clouds(dim=2, min_size=1, max_size=5)).points
    res = ob.barycenter(ms, lam, metric=metric, support=support)
    check_barycenter_bounds(res, ms, lam, metric, ob_w1, inputs_are_candidates=False, atol=1e-9 * _scale(*ms))
    assert res.cost == pytest.approx(linprog_barycenter_value(support, ms, lam, metric), rel=1e-7, abs=1e-9)
    on_support = {tuple(p) for p in np.asarray(support)}
    assert all(tuple(p) in on_support for p in res.measure.compress().points)


@pytest.mark.parametrize("metric", METRICS)
@settings(max_examples=examples(15))
@given(data=st.data())
def test_free_support_barycenter(metric: str, data: st.DataObject) -> None:
    ms, lam = data.draw(bary_inputs("2d"))
    free = ob.barycenter(ms, lam, metric=metric, support="free")
    fixed = ob.barycenter(ms, lam, metric=metric)
    tol = 1e-9 * _scale(*ms)
    check_barycenter_bounds(free, ms, lam, metric, ob_w1, candidates=[fixed.measure], atol=tol)
    assert free.cost <= fixed.cost + tol


# ---- theory fact 4: 1D Gaussians, a location family ------------------------------------


@pytest.mark.parametrize("on_grid", [False, True])
@pytest.mark.parametrize(
    ("shifts", "lam"),
    [([-8, 0, 12], [0.15, 0.45, 0.4]), ([-5, 5], [0.7, 0.3]), ([0, 3, 9, 20], [0.1, 0.2, 0.3, 0.4])],
)
def test_fact4_gaussian_location_family(on_grid: bool, shifts: list[int], lam: list[float]) -> None:
    h, sigma = 0.25, 1.0
    idx = np.arange(-16, 17)
    rho = np.exp(-0.5 * (h * idx / sigma) ** 2)
    case = ots.make_translates(
        idx[:, None], rho, np.array(shifts)[:, None], lam, "euclidean", spacing=h, on_grid=on_grid
    )
    # the barycenter is N(m*, sigma) discretised, m* the weighted median of the means
    m_star = ots.weighted_median(h * np.array(shifts, dtype=float), case.weights)
    assert case.info["center"][0] == pytest.approx(m_star)
    for metric in METRICS:
        res = ob.barycenter(case.measures, case.weights, metric=metric)
        check_known_optimum(res, case.optimum, atol=1e-9)
        # no subset of the weights sums to 1/2 here, so the barycenter is unique
        assert scipy_w1_1d(res.measure, case.barycenter) <= 1e-9


# ---- theory fact 5: two measures ---------------------------------------------------------


def _fact5_paths() -> list[Any]:
    return [
        (1, False, None),
        (2, False, None),
        (2, True, None),
        (2, False, "free"),
        pytest.param(3, True, None, marks=pytest.mark.slow),
    ]


@pytest.mark.parametrize(("dim", "on_grid", "support"), _fact5_paths())
@settings(max_examples=examples(15))
@given(data=st.data())
def test_fact5_unequal_weights_heavier_input(
    dim: int, on_grid: bool, support: Any, data: st.DataObject
) -> None:
    case = data.draw(ots.two_measures_case(dim=dim, on_grid=on_grid))
    res = ob.barycenter(case.measures, case.weights, metric=case.metric, support=support)
    tol = 1e-9 * _scale(*case.measures)
    check_known_optimum(res, case.optimum, atol=tol)
    # J(mu) - J* >= (lam_max - lam_min) W1(mu, heavier): the unique optimum, up to the gap
    spread = float(np.max(case.weights) - np.min(case.weights))
    slack = res.cost - case.optimum + tol
    assert pot_w1(res.measure, case.barycenter, case.metric) <= slack / spread + tol


@pytest.mark.parametrize(("dim", "on_grid", "support"), _fact5_paths())
@settings(max_examples=examples(15))
@given(data=st.data())
def test_fact5_equal_weights_every_mixture_is_optimal(
    dim: int, on_grid: bool, support: Any, data: st.DataObject
) -> None:
    case = data.draw(ots.two_measures_case(dim=dim, on_grid=on_grid, equal_weights=True))
    nu1, nu2 = case.measures
    tol = 1e-9 * _scale(nu1, nu2)
    res = ob.barycenter(case.measures, case.weights, metric=case.metric, support=support)
    check_known_optimum(res, case.optimum, atol=tol)
    t = data.draw(st.floats(0.0, 1.0))
    m = mixture(nu1, nu2, t)
    cost_m = 0.5 * ob.w1(m, nu1, case.metric) + 0.5 * ob.w1(m, nu2, case.metric)
    assert cost_m == pytest.approx(case.optimum, rel=1e-7, abs=tol)


# ---- theory fact 6: translates ------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dim", [1, 2])
@settings(max_examples=examples(15))
@given(data=st.data())
def test_fact6_translates_grid(metric: str, dim: int, data: st.DataObject) -> None:
    case = data.draw(ots.translates_case(dim=dim, metric=metric, on_grid=True, k=(2, 4)))
    res = ob.barycenter(case.measures, case.weights, metric=metric)
    check_known_optimum(res, case.optimum, atol=1e-9 * _scale(*case.measures))
    for j in range(len(case.measures)):
        assert ob.w1(case.measures[0], case.measures[j], metric) == pytest.approx(
            case.pairwise[0, j], rel=1e-7, abs=1e-9 * _scale(*case.measures)
        )


@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_fact6_translates_free_support(metric: str, data: st.DataObject) -> None:
    case = data.draw(ots.translates_case(dim=2, metric=metric, on_grid=False, k=(2, 3), max_atoms=3))
    res = ob.barycenter(case.measures, case.weights, metric=metric, support="free")
    check_known_optimum(res, case.optimum, atol=1e-9 * _scale(*case.measures))


@pytest.mark.parametrize("metric", METRICS)
@given(data=st.data())
def test_fact6_translates_union_support(metric: str, data: st.DataObject) -> None:
    case = data.draw(ots.translates_case(dim=2, metric=metric, on_grid=False, k=(2, 4)))
    res = ob.barycenter(case.measures, case.weights, metric=metric)
    tol = 1e-9 * _scale(*case.measures)
    # the union of supports may miss the optimal translate: then the optimum is a lower bound
    assert res.cost >= case.optimum - tol
    if case.on_union_support:
        check_known_optimum(res, case.optimum, atol=tol)
    with_opt = ob.barycenter(
        case.measures, case.weights, metric=metric, support=union_support([*case.measures, case.barycenter])
    )
    check_known_optimum(with_opt, case.optimum, atol=tol)


def test_translates_known_value_by_hand() -> None:
    """Three translates of two atoms, cityblock: a* = coordinatewise median = (1, 0)."""
    case = ots.make_translates(
        [[0, 0], [0, 1]], [0.5, 0.5], [[0, 0], [1, 2], [3, 0]], [0.3, 0.4, 0.3], "cityblock"
    )
    # sum_k lam_k ||a_k - (1, 0)||_1 = 0.3 * 1 + 0.4 * 2 + 0.3 * 2
    assert case.optimum == pytest.approx(1.7)
    res = ob.barycenter(case.measures, case.weights, metric="cityblock", support="free")
    check_known_optimum(res, 1.7)


def test_translate_and_mixture_helpers() -> None:
    g = ob.Grid((3,), spacing=0.5)
    mu = ob.Measure.on_grid(g, [0.5, 0.5, 0.0])
    moved = translate(mu, [1.0])
    assert moved.grid == ob.Grid((3,), spacing=0.5, origin=1.0)
    np.testing.assert_array_equal(moved.weights, mu.weights)
    np.testing.assert_array_equal(shift_on_grid(mu, [1]).weights, [0.0, 0.5, 0.5])
    with pytest.raises(ValueError):
        shift_on_grid(mu, [2])
    mix = mixture(mu, shift_on_grid(mu, [1]), 0.5)
    assert mix.grid == g
    np.testing.assert_allclose(mix.weights, [0.25, 0.5, 0.25])
    with pytest.raises(ValueError):
        mixture(mu, mu, 1.5)


# ======================================================================================
# E. Regressions: minimal cases found by the properties above (explicit, deterministic)
# ======================================================================================


def test_grid_w1_euclidean_does_not_crash_the_process() -> None:
    """Found by ``test_grid_shift_on_same_grid``: the grid euclidean path (arc generation with
    the PARDISO backend) corrupted the heap ("double free or corruption") and killed Python.
    Run in a subprocess so that a crash fails this test instead of the whole session."""
    code = (
        "import numpy as np, otbary as ob\n"
        "g = ob.Grid((6, 7))\n"
        "w = np.array([0.16997219126798513, 0.14816763867418384, 0.16588855964163848,\n"
        "              0.20224341006951663, 0.14816763867418384, 0.16556056167249217]).reshape(2, 3)\n"
        "mu = np.zeros((6, 7)); nu = np.zeros((6, 7)); mu[2:4, 2:5] = w; nu[0:2, 0:3] = w\n"
        "print(repr(ob.w1(ob.Measure.on_grid(g, mu), ob.Measure.on_grid(g, nu), 'euclidean')))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"process died (rc {out.returncode}): {out.stderr[-300:]}"
    # every atom moves by (2, 2): W1 = ||(2, 2)||_2
    assert float(out.stdout.strip().splitlines()[-1]) == pytest.approx(2 * np.sqrt(2), rel=1e-7)


@pytest.mark.parametrize("metric", METRICS)
def test_grid_barycenter_of_identical_measures(metric: str) -> None:
    """Found by ``test_fact6_translates_grid``: three copies of one 1D grid histogram raised
    NotOptimalError (certified gap 1e-10 > tolerance 1e-11); the optimum is 0."""
    m = ob.Measure.on_grid(ob.Grid((2,)), [1 / 3, 2 / 3])
    res = ob.barycenter([m, m, m], metric=metric)
    check_known_optimum(res, 0.0, atol=1e-9)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("lam2", [1e-41, 1e-12, 1e-8])
def test_grid_barycenter_costs_with_tiny_weight(metric: str, lam2: float) -> None:
    """Found by ``test_barycenter_bounds_and_fixed_support_oracle``: ``.costs[k]`` must be
    ``W1(measure, nu_k)`` even when ``lambda_k`` is tiny (it was off by up to 0.28)."""
    d = np.zeros(10)
    d[0] = 1.0
    m = ob.Measure.on_grid(ob.Grid((2, 5)), d)
    res = ob.barycenter([m, m], [1.0 - lam2, lam2], metric=metric)
    np.testing.assert_allclose(res.costs, [pot_w1(res.measure, m, metric)] * 2, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("s", [1e-12, 1e-191, 1e12])
def test_barycenter_scale_invariance(metric: str, s: float) -> None:
    """Found by ``test_free_support_barycenter``: the union-support LP raised NotOptimalError
    for inputs of diameter <= 1e-12 (HiGHS's absolute tolerances); W1 barycenters are
    1-homogeneous, so ``J*(s nu) = s J*(nu)`` for every scale ``s``."""
    nu1 = ob.Measure([[1.0, 1.0]])
    nu2 = ob.Measure([[0.0, 0.0]])
    lam = [0.7, 0.3]
    base = ob.barycenter([nu1, nu2], lam, metric=metric)
    scaled = ob.barycenter([ob.testing.scale(nu1, s), ob.testing.scale(nu2, s)], lam, metric=metric)
    assert scaled.cost == pytest.approx(s * base.cost, rel=1e-9)
    assert base.cost == pytest.approx(0.3 * float(ob.geometry.norm([1.0, 1.0], metric)), rel=1e-12)
