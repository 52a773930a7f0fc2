"""Wasserstein-ball problems (issue 4, points 3 and 5; theory fact 10).

Oracles: a dense plan LP assembled here from POT cost matrices (``ot.dist``) and solved by
SciPy's HiGHS; the barycenter of ``ob.barycenter`` (Lagrangian reduction); LP optimality
conditions (complementary slackness, monotonicity, the feasibility boundary).
"""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest
import scipy.sparse as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import linprog

import otbary as ob
from otbary.testing import strategies as ots

METRICS = ["cityblock", "chebyshev", "euclidean"]
POT_METRIC = {"cityblock": "cityblock", "chebyshev": "chebyshev", "euclidean": "euclidean"}


def _tol(*measures: ob.Measure) -> float:
    pts = np.vstack([m.points for m in measures])
    return 1e-6 * max(1.0, float(np.max(np.ptp(pts, axis=0))))


@st.composite
def ball_cases(draw, kind=None, k=(1, 3)):
    """``(target, centers, radii, metric)`` with radii ``f_k * W1(target, nu_k)``, ``f_k`` in [0.2, 1.3]."""
    ms = draw(ots.measure_lists(k=(k[0] + 1, k[1] + 1), kind=kind, dim=2 if kind == "points" else None,
                                max_size=4))
    metric = draw(st.sampled_from(METRICS))
    target, centers = ms[0], ms[1:]
    d = np.array([ob.w1(target, c, metric) for c in centers])
    f = np.array(draw(st.lists(st.floats(0.2, 1.3), min_size=len(centers), max_size=len(centers))))
    return target, centers, f * d, metric


def _support(res: ob.BallResult, target: ob.Measure) -> object:
    assert res.measure is not None
    return None if target.grid is not None else res.measure.points


# --------------------------------------------------------------------------- optimality conditions


@given(ball_cases())
def test_kkt_and_lagrangian_reduction(case):
    target, centers, eta, metric = case
    res = ob.ball_problem(target, centers, eta, metric=metric)
    tol = _tol(target, *centers)
    for name in ("cost", "lower_bound", "radius_scale"):
        assert not math.isnan(getattr(res, name)), name
    assert not np.any(np.isnan(res.multipliers)) and not np.any(np.isnan(res.distances))
    if not res.feasible:
        assert res.radius_scale > 1 and res.measure is None and res.cost == np.inf
        assert res.info["radius_scale_lower"] > 1 - 1e-7
        return
    assert res.radius_scale <= 1 + 1e-7
    # exact recomputation, certified bound, feasibility
    assert res.cost == pytest.approx(ob.w1(res.measure, target, metric), abs=1e-12)
    assert res.gap <= tol and res.gap >= -tol
    assert np.all(res.distances <= eta * (1 + 1e-6) + tol)
    # complementary slackness: lambda_k (W1(mu, nu_k) - eta_k) = 0
    assert np.all(np.abs(res.multipliers * (res.distances - eta)) <= tol * (1 + res.multipliers))
    assert np.all(res.active | (res.multipliers <= 1e-6 * (1 + res.multipliers.max())))
    # Lagrangian reduction: the barycenter with weights ~ (1, lambda) reaches the Lagrangian value
    w = np.concatenate([[1.0], res.multipliers])
    bar = ob.barycenter([target, *centers], weights=w / w.sum(), metric=metric,
                        support=_support(res, target))
    lagrangian = res.cost + float(res.multipliers @ res.distances)
    assert bar.cost * w.sum() == pytest.approx(lagrangian, abs=tol * w.sum())
    # mu itself is a barycenter for those weights
    assert lagrangian <= bar.cost * w.sum() + tol * w.sum()


@given(ball_cases(), st.floats(0.05, 1.0))
def test_objective_monotone_in_radii(case, grow):
    target, centers, eta, metric = case
    small = ob.ball_problem(target, centers, eta, metric=metric)
    big = ob.ball_problem(target, centers, eta * (1 + grow), metric=metric)
    tol = _tol(target, *centers)
    assert big.radius_scale <= small.radius_scale + tol
    if small.feasible:
        assert big.feasible
        assert big.cost <= small.cost + tol
        # the value function is convex in eta with slope -lambda: first-order bound
        assert big.cost >= small.cost - float(small.multipliers @ (grow * eta)) - tol


@given(ball_cases(k=(2, 3)))
def test_feasibility_boundary(case):
    target, centers, eta, metric = case
    assume(np.all(eta > 1e-6 * max(1.0, float(np.ptp(target.points)))))
    s = ob.ball_problem(target, centers, eta, metric=metric).radius_scale
    assume(s > 1e-3)
    at = ob.ball_problem(target, centers, s * eta, metric=metric)
    assert at.feasible and at.radius_scale == pytest.approx(1.0, rel=1e-6)
    assert np.all(at.distances <= s * eta * (1 + 1e-6) + _tol(target, *centers))
    below = ob.ball_problem(target, centers, (1 - 1e-4) * s * eta, metric=metric)
    assert not below.feasible
    assert below.radius_scale == pytest.approx(1 / (1 - 1e-4), rel=1e-6)
    w = below.info["infeasibility_weights"]
    assert np.all(w >= 0) and float(w @ ((1 - 1e-4) * s * eta)) == pytest.approx(1.0)


def test_infeasible_returns_flags_not_nan():
    g = ob.Grid((6, 6), spacing=0.2)
    a = np.zeros(36)
    a[0] = 1
    b = np.zeros(36)
    b[-1] = 1
    c = np.full(36, 1 / 36)
    nu1, nu2, tgt = (ob.Measure.on_grid(g, v) for v in (a, b, c))
    d12 = ob.w1(nu1, nu2, "cityblock")  # 2.0
    res = ob.ball_problem(tgt, [nu1, nu2], [0.25 * d12, 0.25 * d12], metric="cityblock")
    assert not res.feasible and res.status == "infeasible"
    # the balls must reach each other: eta_1 + eta_2 >= W1(nu_1, nu_2), so s* = 2
    assert res.radius_scale == pytest.approx(2.0, rel=1e-7)
    assert res.cost == np.inf and res.lower_bound == -np.inf and res.gap == np.inf
    assert np.all(res.distances == np.inf) and not np.any(res.active)


# --------------------------------------------------------------------------- independent oracle


def _dense_oracle(target, centers, eta, metric, S):
    """The plan LP with POT cost matrices, assembled densely: (optimum, radius scale)."""
    ms = [target, *centers]
    ys = [m.points[m.weights > 0] for m in ms]
    bs = [m.weights[m.weights > 0] for m in ms]
    Ms = [ot.dist(S, y, metric=POT_METRIC[metric]) for y in ys]
    s = S.shape[0]

    def build(with_target):
        blocks = list(range(len(ms))) if with_target else list(range(1, len(ms)))
        sizes = [Ms[j].size for j in blocks]
        n_var = sum(sizes) + s
        rows, rhs = [], []
        start = 0
        ub = []
        for j, size in zip(blocks, sizes, strict=True):
            n_j = ys[j].shape[0]
            for i in range(s):  # pi_j 1 = mu
                r = np.zeros(n_var)
                r[start + i * n_j : start + (i + 1) * n_j] = 1
                r[sum(sizes) + i] = -1
                rows.append(r)
                rhs.append(0.0)
            for col in range(n_j):  # pi_j^T 1 = b_j
                r = np.zeros(n_var)
                r[start + col : start + size : n_j] = 1
                rows.append(r)
                rhs.append(bs[j][col])
            if j > 0:
                r = np.zeros(n_var)
                r[start : start + size] = Ms[j].ravel()
                ub.append(r)
            start += size
        return np.array(rows), np.array(rhs), np.array(ub), sizes

    A, b, U, sizes = build(True)
    c = np.zeros(A.shape[1])
    c[: sizes[0]] = Ms[0].ravel()
    lp = linprog(c, A_ub=sp.csr_matrix(U), b_ub=eta, A_eq=sp.csr_matrix(A), b_eq=b, method="highs")
    opt = lp.fun if lp.status == 0 else np.inf
    A, b, U, sizes = build(False)
    A = np.hstack([A, np.zeros((A.shape[0], 1))])
    U = np.hstack([U, -eta[:, None]])
    c = np.zeros(A.shape[1])
    c[-1] = 1
    lp = linprog(c, A_ub=U, b_ub=np.zeros(len(centers)), A_eq=A, b_eq=b, method="highs")
    return opt, lp.fun


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("kind", ["grid", "points"])
@pytest.mark.parametrize("frac", [0.5, 0.9])
def test_matches_dense_pot_oracle(metric, kind, frac):
    rng = np.random.default_rng(7)
    if kind == "grid":
        g = ob.Grid((4, 5), spacing=(0.5, 0.3))
        ms = [ob.Measure.on_grid(g, rng.random(g.size) ** 3, normalize=True) for _ in range(4)]
        S = g.points
    else:
        ms = [ob.Measure(rng.normal(size=(5, 2)), rng.random(5), normalize=True) for _ in range(4)]
        S = np.unique(np.vstack([m.points for m in ms]), axis=0)
    target, centers = ms[0], ms[1:]
    eta = frac * np.array([ob.w1(target, c, metric) for c in centers])
    res = ob.ball_problem(target, centers, eta, metric=metric)
    opt, scale = _dense_oracle(target, centers, eta, metric, S)
    assert res.radius_scale == pytest.approx(scale, rel=1e-6)
    if res.feasible:
        assert res.cost == pytest.approx(opt, rel=1e-6, abs=1e-9)
        assert res.lower_bound == pytest.approx(opt, rel=1e-6, abs=1e-9)
    else:
        assert opt == np.inf and scale > 1


def test_multiplier_is_sensitivity_of_the_optimum():
    """``d opt / d eta_k = -lambda_k``: a finite difference on a non-degenerate case."""
    rng = np.random.default_rng(3)
    g = ob.Grid((6, 6), spacing=1 / 5)
    ms = [ob.Measure.on_grid(g, rng.random(36) ** 4, normalize=True) for _ in range(3)]
    eta = 0.6 * np.array([ob.w1(ms[0], c, "cityblock") for c in ms[1:]])
    res = ob.ball_problem(ms[0], ms[1:], eta, metric="cityblock")
    assert res.feasible and np.any(res.multipliers > 1e-6)
    h = 1e-5 * eta.min()
    for k in range(2):
        e = eta.copy()
        e[k] += h
        slope = (ob.ball_problem(ms[0], ms[1:], e, metric="cityblock").cost - res.cost) / h
        assert slope == pytest.approx(-res.multipliers[k], abs=1e-3)


# --------------------------------------------------------------------------- special cases


def test_zero_radius_forces_the_centre():
    rng = np.random.default_rng(0)
    g = ob.Grid((4, 4))
    t, a, b = (ob.Measure.on_grid(g, rng.random(16), normalize=True) for _ in range(3))
    res = ob.ball_problem(t, [a, b], [0.0, 100.0], metric="cityblock")
    assert res.feasible and np.allclose(res.measure.weights, a.weights)
    assert res.cost == pytest.approx(ob.w1(a, t, "cityblock"))
    assert res.lower_bound == res.cost and res.multipliers.tolist() == [1.0, 0.0]
    bad = ob.ball_problem(t, [a, b], [0.0, 0.0], metric="cityblock")
    assert not bad.feasible and bad.radius_scale == np.inf and bad.cost == np.inf


def test_large_radii_return_the_target_on_its_support():
    rng = np.random.default_rng(1)
    pts = [ob.Measure(rng.normal(size=(4, 2))) for _ in range(3)]
    res = ob.ball_problem(pts[0], pts[1:], [50.0, 50.0], metric="euclidean")
    assert res.feasible and res.cost == pytest.approx(0.0, abs=1e-9)
    assert np.allclose(res.multipliers, 0.0) and not np.any(res.active)


def test_one_dimensional_clouds_use_the_union_support():
    t = ob.Measure([0.0, 1.0])
    nu = ob.Measure([4.0, 5.0])
    res = ob.ball_problem(t, [nu], [1.0], metric="euclidean")
    # mu must move within distance 1 of nu: W1(mu, t) >= W1(t, nu) - 1 = 3
    assert res.feasible and res.cost == pytest.approx(3.0, abs=1e-9)
    assert res.multipliers[0] == pytest.approx(1.0, abs=1e-7) and res.active[0]


# --------------------------------------------------------------------------- bad input


def _three():
    g = ob.Grid((3, 3))
    return [ob.Measure.on_grid(g, np.full(9, 1 / 9)) for _ in range(3)]


@pytest.mark.parametrize("radii, match", [
    ([-0.1, 1.0], "radii"), ([np.nan, 1.0], "radii"), ([np.inf, 1.0], "radii"), ([1.0], "radii"),
    ([1.0, 1.0, 1.0], "radii"), ([[1.0, 1.0]], "radii"),
])
def test_bad_radii(radii, match):
    t, a, b = _three()
    with pytest.raises(ValueError, match=match):
        ob.ball_problem(t, [a, b], radii)


def test_bad_measures():
    t, a, b = _three()
    with pytest.raises(TypeError, match="target"):
        ob.ball_problem(np.ones(3), [a, b], [1.0, 1.0])
    with pytest.raises(TypeError, match="centers"):
        ob.ball_problem(t, [a, "b"], [1.0, 1.0])
    with pytest.raises(TypeError, match="centers"):
        ob.ball_problem(t, 5, [1.0])
    with pytest.raises(ValueError, match="centers"):
        ob.ball_problem(t, [], [])
    with pytest.raises(ValueError, match="dimension"):
        ob.ball_problem(t, [ob.Measure(np.zeros((2, 3)))], [1.0])
    with pytest.raises(ValueError, match="different dimensions"):
        ob.ball_problem(ob.Measure(np.zeros((2, 3))), [ob.Measure(np.zeros((2, 3))), ob.Measure([1.0])],
                        [1.0, 1.0])
    other = ob.Measure.on_grid(ob.Grid((2, 2)), np.full(4, 0.25))
    with pytest.raises(ValueError, match="support"):
        ob.ball_problem(t, [a, other], [1.0, 1.0])
    with pytest.raises(ValueError, match="support"):
        ob.ball_problem(t, [a, b], [1.0, 1.0], support="free")
    with pytest.raises(ValueError, match="metric"):
        ob.ball_problem(t, [a, b], [1.0, 1.0], metric="l3")
