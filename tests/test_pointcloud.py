"""Point-cloud W1 and fixed-support barycenters against POT (``ot.emd2``, ``ot.lp.barycenter``)."""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.sparse as sp
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from oracles import pot_w1
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.certificates import check_gap
from otbary.errors import NotOptimalError, SizeLimitError
from otbary.exact import pointcloud
from otbary.exact.highs import solve_lp
from otbary.exact.onedim import w1_1d
from otbary.exact.pointcloud import barycenter_on_support, w1_points
from otbary.measures import to_pot

RTOL = 1e-9


@st.composite
def clouds(draw: st.DrawFn, dim: int, max_atoms: int = 8) -> ob.Measure:
    """A point cloud on a coarse lattice (so that atoms coincide now and then)."""
    n = draw(st.integers(1, max_atoms))
    coords = draw(st.lists(st.integers(-6, 6), min_size=n * dim, max_size=n * dim))
    w = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    return ob.Measure(np.array(coords, dtype=float).reshape(n, dim) / 2, np.array(w), normalize=True)


def dist(x: NDArray[np.float64], y: NDArray[np.float64], metric: str) -> NDArray[np.float64]:
    """SciPy's cdist: ``ot.dist(metric="euclidean")`` uses ``|x|^2 + |y|^2 - 2 x.y`` and is off by ~1e-8."""
    return np.asarray(cdist(x, y, metric=metric))


def pot_barycenter_value(measures: list[ob.Measure], lam: NDArray[np.float64], support: NDArray[np.float64],
                         metric: str) -> float:
    A, M, _ = to_pot(measures, metric, support)
    bary = ot.lp.barycenter(A, M, lam)
    return float(sum(lk * ot.emd2(bary, A[:, k], M) for k, lk in enumerate(lam)))


# ----------------------------------------------------------------------------- W1


@pytest.mark.parametrize("metric", ob.METRICS)
@given(data=st.data())
@settings(max_examples=examples(12), deadline=None)
def test_w1_points_matches_pot(metric: str, data: st.DataObject) -> None:
    dim = data.draw(st.sampled_from([2, 3]))
    mu, nu = data.draw(clouds(dim)), data.draw(clouds(dim))
    res = w1_points(mu, nu, metric)
    assert res.cost == pytest.approx(pot_w1(mu, nu, metric), rel=RTOL, abs=1e-12)
    assert res.lower_bound == pytest.approx(res.cost, rel=RTOL, abs=1e-12)
    assert res.potential.max_violation() <= 1e-12
    assert res.method == "network-simplex"


@pytest.mark.parametrize("metric", ob.METRICS)
def test_w1_points_random_clouds_and_zero_masses(metric: str) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 2)), rng.normal(1.0, 1.0, size=(50, 2))
    a, b = rng.random(60), rng.random(50)
    a[:5] = 0.0
    mu, nu = ob.Measure(x, a, normalize=True), ob.Measure(y, b, normalize=True)
    res = w1_points(mu, nu, metric)
    assert res.cost == pytest.approx(pot_w1(mu, nu, metric), rel=RTOL)
    assert res.info["n"] == 55 and res.info["m"] == 50
    # the certificate is a 1-Lipschitz function everywhere (McShane extension)
    f = res.potential
    z = rng.normal(size=(30, 2))
    fz = f(z)
    d = dist(z, z, metric)
    assert np.max(fz[:, None] - fz[None, :] - d) <= 1e-12


@given(clouds(1, 10), clouds(1, 10))
@settings(max_examples=examples(20), deadline=None)
def test_1d_clouds_network_simplex_vs_closed_form(mu: ob.Measure, nu: ob.Measure) -> None:
    expected = pot_w1(mu, nu, "euclidean")
    assert w1_points(mu, nu, "euclidean").cost == pytest.approx(expected, rel=RTOL, abs=1e-12)
    assert w1_1d(mu, nu, "euclidean").cost == pytest.approx(expected, rel=RTOL, abs=1e-12)


def test_w1_points_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pointcloud, "MAX_PLAN_ENTRIES", 99)
    mu, nu = ob.Measure(np.zeros((10, 2))), ob.Measure(np.ones((10, 2)))
    with pytest.raises(SizeLimitError, match="10 x 10"):
        w1_points(mu, nu, "euclidean")
    with pytest.raises(ValueError):  # SizeLimitError is a ValueError
        w1_points(mu, nu, "euclidean")


def test_w1_points_reports_network_simplex_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pointcloud, "NETWORK_SIMPLEX_MAX_ITER", 1)
    rng = np.random.default_rng(0)
    mu, nu = ob.Measure(rng.normal(size=(30, 2))), ob.Measure(rng.normal(size=(30, 2)))
    with pytest.raises(NotOptimalError, match="numItermax"):
        w1_points(mu, nu, "euclidean")


# ----------------------------------------------------------------------- barycenter


@pytest.mark.parametrize("metric", ob.METRICS)
def test_barycenter_on_union_matches_pot(metric: str) -> None:
    rng = np.random.default_rng(7)
    measures = [ob.Measure(rng.normal(size=(6, 2)) + k, rng.random(6), normalize=True) for k in range(3)]
    lam = np.array([0.2, 0.3, 0.5])
    res = ob.barycenter(measures, lam, metric=metric)
    union = np.unique(np.vstack([m.points for m in measures]), axis=0)
    assert res.cost == pytest.approx(pot_barycenter_value(measures, lam, union, metric), rel=1e-7)
    assert res.gap <= RTOL * res.cost
    assert res.info["support"] == "union of input supports"
    assert res.costs == pytest.approx([pot_w1(res.measure, m, metric) for m in measures], rel=1e-9, abs=1e-12)
    for g, lk in zip(res.potentials or [], lam, strict=True):
        assert g.lipschitz == pytest.approx(lk)
        assert g.max_violation() <= 1e-12


@pytest.mark.parametrize("metric", ob.METRICS)
@given(data=st.data())
@settings(max_examples=examples(8), deadline=None)
def test_barycenter_on_lattice_support_matches_pot(metric: str, data: st.DataObject) -> None:
    """Support: the lattice of half-integers of [-3, 3]^2, which contains every atom."""
    k = data.draw(st.integers(2, 3))
    measures = [data.draw(clouds(2, 4)) for _ in range(k)]
    lam = np.array(data.draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k)))
    lam /= lam.sum()
    axis = np.arange(-6, 7) / 2
    lattice = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    res = barycenter_on_support(measures, lam, metric, lattice)
    assert res.measure.size == lattice.shape[0]
    assert res.cost == pytest.approx(pot_barycenter_value(measures, lam, lattice, metric), rel=1e-7, abs=1e-9)
    assert res.gap <= RTOL * max(res.cost, 1.0)
    assert res.info["support"] == "given points"


def test_barycenter_on_support_off_the_inputs() -> None:
    """A support away from every input still gives a certified (bound = cost) answer."""
    measures = [ob.Measure([[0.0, 0.0], [1.0, 0.0]]), ob.Measure([[0.0, 2.0]])]
    support = np.array([[0.5, 1.0], [3.0, 3.0]])
    res = barycenter_on_support(measures, np.array([0.5, 0.5]), "euclidean", support, support_label="mine")
    np.testing.assert_allclose(res.measure.weights, [1.0, 0.0])
    expected = 0.5 * np.hypot(0.5, 1.0) * 2
    assert res.cost == pytest.approx(expected, rel=RTOL)
    assert res.lower_bound == pytest.approx(expected, rel=RTOL)
    assert res.info["support"] == "mine"


def test_barycenter_on_support_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pointcloud, "MAX_LP_VARIABLES", 50)
    measures = [ob.Measure(np.zeros((4, 2))), ob.Measure(np.ones((5, 2)))]
    with pytest.raises(SizeLimitError, match="MAX_LP_VARIABLES"):
        barycenter_on_support(measures, np.array([0.5, 0.5]), "euclidean", np.zeros((6, 2)))


# --------------------------------------------------------------------- HiGHS wrapper


def test_solve_lp_duals_and_infeasibility() -> None:
    # min x0 + 2 x1  s.t. x0 + x1 = 1, x >= 0: x = (1, 0), dual 1
    sol = solve_lp(np.array([1.0, 2.0]), sp.csr_matrix([[1.0, 1.0]]), np.array([1.0]))
    np.testing.assert_allclose(sol.x, [1.0, 0.0])
    np.testing.assert_allclose(sol.row_duals, [1.0])
    assert sol.objective == pytest.approx(1.0)
    # x0 + x1 = 1 and x0 + x1 = 2: infeasible
    with pytest.raises(NotOptimalError, match="HiGHS"):
        solve_lp(np.ones(2), sp.csr_matrix([[1.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0]))
    # unbounded: min -x0 with x0 free of upper bound, x0 - x1 = 0
    with pytest.raises(NotOptimalError):
        solve_lp(np.array([-1.0, 0.0]), sp.csr_matrix([[1.0, -1.0]]), np.array([0.0]))


def test_solve_lp_inequalities() -> None:
    # min -x0 - x1 s.t. x0 + 2 x1 <= 4, 3 x0 + x1 <= 6 -> (1.6, 1.2)
    sol = solve_lp(np.array([-1.0, -1.0]), None, None, A_ub=sp.csr_matrix([[1.0, 2.0], [3.0, 1.0]]),
                   b_ub=np.array([4.0, 6.0]))
    np.testing.assert_allclose(sol.x, [1.6, 1.2])
    assert np.all(sol.row_duals <= 1e-12)
    assert float(sol.row_duals @ np.array([4.0, 6.0])) == pytest.approx(sol.objective)


def test_check_gap() -> None:
    assert check_gap(1.0, 1.0 - 1e-12, 1.0, "x") == pytest.approx(1e-12)
    with pytest.raises(NotOptimalError, match="not certified"):
        check_gap(1.0, 0.9, 1.0, "x")
    with pytest.raises(NotOptimalError):
        check_gap(float("nan"), 0.0, 1.0, "x")


@pytest.mark.parametrize("scale", [1e-150, 1e-6, 1e8, 1e150])
@pytest.mark.parametrize("metric", ["cityblock", "chebyshev"])
def test_scale_invariance(scale: float, metric: str) -> None:
    """Costs are scaled to unit diameter before the solvers: W1 and barycenters are 1-homogeneous."""
    base = [ob.Measure([[0.0, 0.0], [1.0, 2.0]]), ob.Measure([[1.0, 1.0]]),
            ob.Measure([[3.0, 0.0], [1.0, 1.0]])]
    scaled = [ob.Measure(m.points * scale, m.weights) for m in base]
    lam = np.array([0.5, 0.2, 0.3])
    assert w1_points(scaled[0], scaled[2], metric).cost == pytest.approx(
        scale * w1_points(base[0], base[2], metric).cost, rel=1e-12)
    assert ob.barycenter(scaled, lam, metric=metric).cost == pytest.approx(
        scale * ob.barycenter(base, lam, metric=metric).cost, rel=1e-9)
    # a zero weight: the optimum is nu_1 at cost zero, at every scale
    assert ob.barycenter(scaled[:2], [1.0, 0.0], metric=metric).cost == pytest.approx(0.0, abs=1e-12 * scale)


def test_fixed_support_lp_with_masses_spanning_many_magnitudes() -> None:
    """Regression: HiGHS's presolve called this feasible LP infeasible (masses down to 1e-29)."""
    g = ob.Grid((10, 10), spacing=1 / 9)
    x = g.points
    ms = []
    for c in [(0.2, 0.2), (0.8, 0.3), (0.5, 0.8)]:
        v = np.exp(-((x - np.array(c)) ** 2).sum(1) / (2 * 0.08**2))
        ms.append(ob.Measure.on_grid(g, (v / v.sum()).reshape(10, 10)))
    assert min(m.weights.min() for m in ms) < 1e-20
    res = ob.barycenter(ms, metric="euclidean", support=x)
    assert res.gap <= 1e-9 * max(res.cost, 1.0)
    costs = [ot.emd2(res.measure.weights, m.weights, ot.dist(x, x, metric="euclidean")) for m in ms]
    assert res.cost == pytest.approx(float(np.mean(costs)), rel=1e-9, abs=1e-12)
