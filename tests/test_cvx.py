"""otbary.cvx: W1 on a fixed support as a cvxpy building block (issue 4, point 4).

Oracles: ``ob.w1`` (exact W1), ``ob.ball_problem`` (the direct LP), POT's ``ot.emd2``.
"""

from __future__ import annotations

import sys

import numpy as np
import ot
import pytest

import otbary as ob

cp = pytest.importorskip("cvxpy")
from otbary.cvx import simplex, w1_ball, w1_epigraph  # noqa: E402

SOLVER = "HIGHS" if "HIGHS" in cp.installed_solvers() else "CLARABEL"


@pytest.mark.parametrize("metric", ["cityblock", "chebyshev", "euclidean"])
def test_epigraph_minimum_is_w1_on_a_grid(metric):
    rng = np.random.default_rng(0)
    g = ob.Grid((4, 5), spacing=0.5)
    a, b = (ob.Measure.on_grid(g, rng.random(g.size) ** 3, normalize=True) for _ in range(2))
    mu = cp.Parameter(g.size, value=np.asarray(a.weights))
    t, cons = w1_epigraph(mu, b, g, metric)
    value = cp.Problem(cp.Minimize(t), cons).solve(solver=SOLVER)
    assert value == pytest.approx(ob.w1(a, b, metric), rel=1e-6, abs=1e-9)


def test_epigraph_minimum_is_w1_on_points():
    rng = np.random.default_rng(1)
    S = rng.normal(size=(6, 2))
    a = ob.Measure(S, rng.random(6), normalize=True)
    b = ob.Measure(rng.normal(size=(4, 2)), rng.random(4), normalize=True)
    mu = cp.Parameter(6, value=np.asarray(a.weights))
    t, cons = w1_epigraph(mu, b, S, "euclidean")
    value = cp.Problem(cp.Minimize(t), cons).solve(solver=SOLVER)
    assert value == pytest.approx(ot.emd2(a.weights, b.weights, ot.dist(S, b.points, "euclidean")), rel=1e-6)


@pytest.mark.parametrize("metric, kind", [("cityblock", "grid"), ("euclidean", "grid"),
                                          ("euclidean", "points"), ("chebyshev", "points")])
def test_cvxpy_route_matches_ball_problem(metric, kind):
    rng = np.random.default_rng(5)
    if kind == "grid":
        g = ob.Grid((5, 5), spacing=0.25)
        ms = [ob.Measure.on_grid(g, rng.random(25) ** 4, normalize=True) for _ in range(4)]
        support = g
    else:
        ms = [ob.Measure(rng.normal(size=(4, 2))) for _ in range(4)]
        support = np.unique(np.vstack([m.points for m in ms]), axis=0)
    target, centers = ms[0], ms[1:]
    eta = 0.8 * np.array([ob.w1(target, c, metric) for c in centers])
    res = ob.ball_problem(target, centers, eta, metric=metric)
    assert res.feasible
    n = support.size if isinstance(support, ob.Grid) else support.shape[0]
    mu = cp.Variable(n)
    t, cons = w1_epigraph(mu, target, support, metric)
    balls = [w1_ball(mu, c, e, support, metric) for c, e in zip(centers, eta, strict=True)]
    problem = cp.Problem(cp.Minimize(t), cons + [c for b in balls for c in b] + simplex(mu))
    value = problem.solve(solver=SOLVER)
    assert value == pytest.approx(res.cost, rel=1e-6, abs=1e-9)
    # the duals of the radius rows are multipliers too: they satisfy the Lagrangian reduction
    lam = np.array([float(b[0].dual_value) for b in balls])
    assert np.all(lam >= -1e-8)
    w = np.concatenate([[1.0], np.maximum(lam, 0)])
    bar = ob.barycenter(ms, weights=w / w.sum(), metric=metric,
                        support=None if kind == "grid" else support)
    assert bar.cost * w.sum() == pytest.approx(value + float(np.maximum(lam, 0) @ eta), rel=1e-5, abs=1e-8)


def test_user_objective_with_balls():
    """A convex objective of the user's: the W1 to the target plus an entropy-like smoothing term."""
    g = ob.Grid((4, 4), spacing=1 / 3)
    rng = np.random.default_rng(2)
    target, c1, c2 = (ob.Measure.on_grid(g, rng.random(16) ** 2, normalize=True) for _ in range(3))
    mu = cp.Variable(16)
    t, cons = w1_epigraph(mu, target, g, "cityblock")
    cons += w1_ball(mu, c1, 0.3, g, "cityblock") + w1_ball(mu, c2, 0.3, g, "cityblock") + simplex(mu)
    cp.Problem(cp.Minimize(t + 0.1 * cp.sum_squares(mu)), cons).solve(solver="CLARABEL")
    m = ob.Measure.on_grid(g, np.clip(mu.value, 0, None), normalize=True)
    assert ob.w1(m, c1, "cityblock") <= 0.3 + 1e-5 and ob.w1(m, c2, "cityblock") <= 0.3 + 1e-5
    assert float(t.value) == pytest.approx(ob.w1(m, target, "cityblock"), abs=1e-5)


def test_bad_input():
    g = ob.Grid((3, 3))
    nu = ob.Measure.on_grid(g, np.full(9, 1 / 9))
    mu = cp.Variable(9)
    with pytest.raises(ValueError, match="mu"):
        w1_epigraph(cp.Variable(4), nu, g, "cityblock")
    with pytest.raises(TypeError, match="nu"):
        w1_epigraph(mu, np.ones(9), g, "cityblock")
    with pytest.raises(ValueError, match="dimension"):
        w1_epigraph(mu, ob.Measure(np.zeros((1, 3))), g, "euclidean")
    with pytest.raises(ValueError, match="grid"):
        w1_epigraph(mu, ob.Measure(g.points), g, "cityblock")
    with pytest.raises(ValueError, match="radius"):
        w1_ball(mu, nu, -1.0, g, "cityblock")
    with pytest.raises(ValueError, match="radius"):
        w1_ball(mu, nu, float("nan"), g, "cityblock")
    with pytest.raises(ValueError, match="metric"):
        w1_epigraph(mu, nu, g, "l4")


def test_missing_cvxpy_gives_install_hint(monkeypatch):
    from otbary import cvx

    monkeypatch.setitem(sys.modules, "cvxpy", None)
    with pytest.raises(ImportError, match=r"otbary\[cvx\]"):
        cvx.require_cvxpy()
