"""Entropic W1: log-domain kernels, Sinkhorn, (debiased) barycenters.

Oracles: POT (``ot.bregman.barycenter`` / ``barycenter_debiased`` with ``method="sinkhorn_log"``,
``ot.sinkhorn2``) on the same cost matrix and eps; the exact solvers (``ob.barycenter`` /
``ob.w1``) for the unregularised objective; dense log-sum-exp for the separable kernel;
exact symmetries (translation of point clouds, reflection of grids, permutation of the inputs).
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
import ot
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import otbary as ob
from otbary.entropic import entropic_barycenter, sinkhorn_divergence, sinkhorn_w1
from otbary.entropic.kernels import DenseLogKernel, GridLogKernel
from otbary.errors import NotOptimalError, SizeLimitError
from otbary.testing import strategies as obst
from otbary.toys import toy_histogram


def _blobs(n: int) -> tuple[ob.Grid, list[ob.Measure]]:
    g = ob.Grid((n, n), spacing=1 / (n - 1))
    specs = [((0.2, 0.3), 0.08), ((0.7, 0.2), 0.1), ((0.5, 0.8), 0.06)]
    return g, [toy_histogram("gaussian", g, center=c, sigma=s) for c, s in specs]


def _cloud(rng: np.random.Generator, n: int = 12, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    x = rng.random((n, 2))
    a = rng.random((n, k)) + 0.05
    return x, a / a.sum(axis=0)


# --------------------------------------------------------------------------- kernels


@given(grid=obst.grids(max_side=6, max_size=60), eps=st.sampled_from([1e-3, 0.05, 0.5, 5.0]),
       data=st.data())
def test_grid_kernel_matches_dense(grid: ob.Grid, eps: float, data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    v = rng.normal(scale=30.0, size=(2, grid.size))
    v[0, rng.integers(grid.size)] = -np.inf  # a zero-mass node
    u = rng.normal(scale=3.0, size=(2, grid.size)) - 40.0
    gk = GridLogKernel(grid, eps)
    dk = DenseLogKernel(grid.points, grid.points, "cityblock", eps)
    dense, sep = dk.apply(v), gk.apply(v)
    assert np.array_equal(np.isneginf(sep), np.isneginf(dense)) and not np.any(np.isnan(sep))
    fin = np.isfinite(dense)
    assert np.all(np.abs(sep[fin] - dense[fin]) <= 1e-11 * np.maximum(1.0, np.abs(dense[fin])))
    c_grid, c_dense = gk.transport_cost(u, v - 60.0), dk.transport_cost(u, v - 60.0)
    assert np.allclose(c_grid, c_dense, rtol=1e-9, atol=1e-300)


def test_grid_kernel_tiny_eps_is_finite_and_exact() -> None:
    # alpha * n = 1e6: a linear-domain filter would underflow to 0 (log -> -inf)
    g = ob.Grid((40, 30), spacing=1.0 / 39)
    eps = 1e-6
    rng = np.random.default_rng(1)
    v = rng.normal(scale=1e3, size=(1, g.size))
    out = GridLogKernel(g, eps).apply(v)
    assert np.all(np.isfinite(out))
    dense = DenseLogKernel(g.points, g.points, "cityblock", eps).apply(v)
    # documented rounding: absolute ~1e-16 (|v| + alpha n) per recursion step
    bound = 1e-15 * (np.abs(v).max() + max(g.shape) * max(g.spacing) / eps)
    assert np.max(np.abs(out - dense)) < bound


def test_dense_kernel_size_limit() -> None:
    g = ob.Grid((70, 70), spacing=1 / 69)
    mu = toy_histogram("gaussian", g, center=(0.3, 0.3), sigma=0.1)
    nu = toy_histogram("gaussian", g, center=(0.6, 0.6), sigma=0.1)
    with pytest.raises(SizeLimitError, match="dense entropic kernel"):
        sinkhorn_w1(mu, nu, 0.01, metric="chebyshev")


# --------------------------------------------------------------------------- Sinkhorn


def test_sinkhorn_cost_matches_pot() -> None:
    rng = np.random.default_rng(0)
    for metric in ("cityblock", "euclidean", "chebyshev"):
        x, a = _cloud(rng, 15, 2)
        y = rng.random((11, 2)) + 0.3
        b = rng.random(11) + 0.1
        b /= b.sum()
        res = sinkhorn_w1(ob.Measure(x, a[:, 0]), ob.Measure(y, b), 0.05, metric, tol=1e-11)
        ref = ot.sinkhorn2(a[:, 0], b, ot.dist(x, y, metric=metric), 0.05, method="sinkhorn_log",
                           stopThr=1e-13, numItermax=100000)
        assert res.converged and res.marginal_error <= 1e-11
        assert res.cost == pytest.approx(float(ref), rel=1e-8)
        assert res.info["path"] == "dense"


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning:ot.backend")
def test_sinkhorn_grid_path_matches_pot_dense() -> None:
    g, (mu, nu, _) = _blobs(10)
    res = sinkhorn_w1(mu, nu, 0.02, "cityblock", tol=1e-11)
    assert res.info["path"] == "grid-separable"
    M = ot.dist(g.points, g.points, metric="cityblock")
    ref = ot.sinkhorn2(np.asarray(mu.weights), np.asarray(nu.weights), M, 0.02, method="sinkhorn_log",
                       stopThr=1e-13, numItermax=100000)
    assert res.cost == pytest.approx(float(ref), rel=1e-7)


def test_sinkhorn_divergence_properties() -> None:
    g, (mu, nu, _) = _blobs(12)
    w1 = ob.w1(mu, nu, "cityblock")
    assert sinkhorn_divergence(mu, mu, 0.05, "cityblock", tol=1e-11) == pytest.approx(0.0, abs=1e-10)
    errs = []
    for eps in (0.1, 0.02, 0.004, 0.001):
        res = sinkhorn_w1(mu, nu, eps, "cityblock", divergence=True, eps_scaling=True)
        assert res.converged and res.divergence is not None and res.divergence > 0
        # the plan's transport cost bounds W1 from above (up to the marginal error)
        assert res.cost >= w1 - 2 * res.marginal_error
        errs.append(abs(res.divergence - w1))
    assert errs[0] > errs[1] > errs[2] > errs[3]
    assert errs[3] < 0.01 * w1  # measured: S_eps - W1 is about -2.6 eps here


def test_sinkhorn_cap_warns_or_raises() -> None:
    _, (mu, nu, _) = _blobs(10)
    with pytest.warns(RuntimeWarning, match="NOT converged"):
        res = sinkhorn_w1(mu, nu, 1e-3, "cityblock", max_iter=2)
    assert not res.converged and res.n_iter == 2 and res.marginal_error > 1e-6
    with pytest.raises(NotOptimalError, match="iteration cap"):
        sinkhorn_w1(mu, nu, 1e-3, "cityblock", max_iter=2, on_max_iter="raise")


# --------------------------------------------------------------------------- barycenters


def test_dense_barycenter_matches_pot() -> None:
    rng = np.random.default_rng(3)
    x, a = _cloud(rng, 14, 3)
    lam = np.array([0.5, 0.3, 0.2])
    ms = [ob.Measure(x, a[:, k]) for k in range(3)]
    M = ot.dist(x, x, metric="euclidean")
    for debiased, pot in ((False, ot.bregman.barycenter), (True, ot.bregman.barycenter_debiased)):
        res = entropic_barycenter(ms, lam, "euclidean", eps=0.1, support=x, tol=1e-10, debiased=debiased)
        ref = pot(a, M, 0.1, lam, method="sinkhorn_log", stopThr=1e-12, numItermax=100000)
        assert res.status == "converged" and res.info["path"] == "dense"
        assert np.abs(res.measure.weights - ref / ref.sum()).sum() < 1e-7


def test_grid_barycenter_matches_dense_path() -> None:
    g, nus = _blobs(9)
    res = ob.barycenter(nus, [0.2, 0.5, 0.3], "cityblock", method="entropic", eps=0.02, tol=1e-10)
    clouds = [ob.Measure(g.points, m.weights) for m in nus]
    ref = ob.barycenter(clouds, [0.2, 0.5, 0.3], "cityblock", method="entropic", eps=0.02, tol=1e-10,
                        support=g.points)
    assert res.info["path"] == "grid-separable" and ref.info["path"] == "dense"
    assert np.abs(res.measure.weights - ref.measure.weights).sum() < 1e-8
    assert res.cost == pytest.approx(ref.cost, rel=1e-6)


def test_result_reports_exact_objective_and_bounds() -> None:
    g, nus = _blobs(8)
    lam = [0.5, 0.25, 0.25]
    res = ob.barycenter(nus, lam, "cityblock", method="entropic", eps=0.01, certify=True)
    assert res.method == "entropic" and res.status == "converged"
    costs = [ob.w1(res.measure, m, "cityblock") for m in nus]
    assert res.cost == pytest.approx(float(np.dot(lam, costs)), rel=1e-9)
    opt = res.info["exact_optimum"]
    assert res.info["dual_lower_bound"] <= opt + 1e-9 <= res.cost + 2e-9
    assert res.lower_bound <= opt + 1e-9
    for key in ("entropic_value", "eps", "n_iter", "marginal_error", "debiased", "time_entropic",
                "time_exact_cost", "plan_cost"):
        assert key in res.info
    assert res.info["marginal_error"] <= 1e-6 and np.isfinite(res.info["entropic_value"])
    cheap = ob.barycenter(nus, lam, "cityblock", method="entropic", eps=0.01, exact_cost=False)
    assert cheap.cost == np.inf and np.all(cheap.costs == np.inf)
    assert cheap.lower_bound == pytest.approx(res.info["dual_lower_bound"])


def test_gap_to_exact_optimum_shrinks_with_eps() -> None:
    _, nus = _blobs(16)
    opt = ob.barycenter(nus, metric="cityblock").cost
    gaps = []
    for eps in (0.1, 0.03, 0.01, 0.002):
        res = ob.barycenter(nus, metric="cityblock", method="entropic", eps=eps, eps_scaling=True)
        assert res.status == "converged"
        gaps.append((res.cost - opt) / opt)
        assert res.lower_bound <= opt * (1 + 1e-7)
    assert gaps[0] > gaps[1] > gaps[2] >= gaps[3] > -1e-7
    assert gaps[-1] < 0.01


@pytest.mark.parametrize("scaling", [None, True])
def test_tiny_eps_no_overflow_and_converged_marginals(scaling: Optional[bool]) -> None:
    g, nus = _blobs(8)
    eps = 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / invalid-value warnings either
        res = ob.barycenter(nus, metric="cityblock", method="entropic", eps=eps, eps_scaling=scaling,
                            tol=1e-7, exact_cost=False)
    assert res.status == "converged" and np.all(np.isfinite(res.measure.weights))
    # independent check of the plans' marginals from the returned log-scalings
    a, b = res.info["log_scalings"]
    C = ot.dist(g.points, g.points, metric="cityblock")
    for ak, bk, nu in zip(a, b, nus, strict=True):
        with np.errstate(under="ignore"):
            P = np.exp(ak[:, None] + bk[None, :] - C / eps)
        assert np.all(np.isfinite(P))
        assert np.abs(P.sum(axis=0) - nu.weights).sum() <= 1e-7
        assert np.allclose(P.sum(axis=1) / P.sum(), res.measure.weights, atol=1e-12)


def test_debiased_keeps_a_single_input() -> None:
    _, (nu, _, _) = _blobs(12)
    biased = ob.barycenter([nu, nu], metric="cityblock", method="entropic", eps=0.05)
    debiased = ob.barycenter([nu, nu], metric="cityblock", method="entropic", eps=0.05, debiased=True)
    assert np.abs(debiased.measure.weights - nu.weights).sum() < 1e-3
    assert np.abs(biased.measure.weights - nu.weights).sum() > 0.1
    assert debiased.info["debiased"] and not biased.info["debiased"]


def test_relaxation_same_answer_fewer_iterations() -> None:
    # wide, overlapping blobs: the slow case for plain Bregman projections
    g = ob.Grid((16, 16), spacing=1 / 15)
    nus = [toy_histogram("gaussian", g, center=c, sigma=s)
           for c, s in [((0.3, 0.3), 0.10), ((0.7, 0.4), 0.15), ((0.5, 0.75), 0.08)]]
    plain = ob.barycenter(nus, metric="cityblock", method="entropic", eps=0.01, tol=1e-8, exact_cost=False)
    fast = ob.barycenter(nus, metric="cityblock", method="entropic", eps=0.01, tol=1e-8, exact_cost=False,
                         relaxation=1.8)
    assert plain.status == fast.status == "converged"
    assert fast.info["n_iter"] < plain.info["n_iter"]
    assert np.abs(fast.measure.weights - plain.measure.weights).sum() < 1e-6


def test_barycenter_cap_warns_or_raises() -> None:
    _, nus = _blobs(10)
    with pytest.warns(RuntimeWarning, match="NOT converged"):
        res = ob.barycenter(nus, metric="cityblock", method="entropic", eps=1e-3, max_iter=3,
                            exact_cost=False)
    assert res.status == "max_iter" and res.info["n_iter"] == 3 and res.info["marginal_error"] > 1e-6
    with pytest.raises(NotOptimalError, match="iteration cap"):
        ob.barycenter(nus, metric="cityblock", method="entropic", eps=1e-3, max_iter=3, on_max_iter="raise")


# --------------------------------------------------------------------------- symmetries


@settings(max_examples=examples(10))
@given(shift=st.tuples(st.floats(-50, 50), st.floats(-50, 50)), seed=st.integers(0, 2**16),
       metric=obst.metrics())
def test_translation_equivariance_point_clouds(shift: tuple[float, float], seed: int, metric: str) -> None:
    rng = np.random.default_rng(seed)
    x, a = _cloud(rng, 8, 3)
    s = np.asarray(shift)
    base = entropic_barycenter([ob.Measure(x, a[:, k]) for k in range(3)], None, metric, eps=0.1,
                               support=x, tol=1e-10, exact_cost=False)
    moved = entropic_barycenter([ob.Measure(x + s, a[:, k]) for k in range(3)], None, metric, eps=0.1,
                                support=x + s, tol=1e-10, exact_cost=False)
    assert np.allclose(moved.measure.points, base.measure.points + s)
    assert np.abs(moved.measure.weights - base.measure.weights).sum() < 1e-8


@settings(max_examples=examples(10))
@given(perm=st.permutations([0, 1, 2]), lam=obst.weights(3, allow_zeros=False), flip=st.sampled_from([0, 1]))
def test_symmetric_in_inputs_and_grid_reflections(perm: list[int], lam: np.ndarray, flip: int) -> None:
    g, nus = _blobs(8)
    base = ob.barycenter(nus, lam, "cityblock", method="entropic", eps=0.02, tol=1e-10, exact_cost=False)
    permuted = ob.barycenter([nus[i] for i in perm], lam[perm], "cityblock", method="entropic", eps=0.02,
                             tol=1e-10, exact_cost=False)
    assert np.abs(permuted.measure.weights - base.measure.weights).sum() < 1e-8
    flipped = [ob.Measure.on_grid(g, np.flip(m.values(), axis=flip)) for m in nus]
    refl = ob.barycenter(flipped, lam, "cityblock", method="entropic", eps=0.02, tol=1e-10, exact_cost=False)
    assert np.abs(np.flip(refl.measure.values(), axis=flip) - base.measure.values()).sum() < 1e-8


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("eps", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_eps(eps: float) -> None:
    _, (mu, nu, _) = _blobs(4)
    with pytest.raises(ValueError, match="eps"):
        ob.barycenter([mu, nu], metric="cityblock", method="entropic", eps=eps)
    with pytest.raises(ValueError, match="eps"):
        sinkhorn_w1(mu, nu, eps, "cityblock")


def test_bad_options() -> None:
    _, (mu, nu, _) = _blobs(4)
    with pytest.raises(ValueError, match="eps"):
        ob.barycenter([mu, nu], metric="cityblock", method="entropic")
    with pytest.raises(TypeError, match="eps"):
        sinkhorn_w1(mu, nu, "0.1", "cityblock")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="method"):
        ob.barycenter([mu, nu], method="sinkhorn", eps=0.1)
    with pytest.raises(ValueError, match="metric"):
        ob.barycenter([mu, nu], metric="minkowski", method="entropic", eps=0.1)
    with pytest.raises(ValueError, match="metric"):
        sinkhorn_w1(mu, nu, 0.1, "minkowski")
    with pytest.raises(ValueError, match="tol"):
        ob.barycenter([mu, nu], metric="cityblock", tol=1e-6)  # exact method: entropic option
    with pytest.raises(ValueError, match="certify"):
        ob.barycenter([mu, nu], metric="cityblock", certify=True)
    with pytest.raises(ValueError, match="tol"):
        ob.barycenter([mu, nu], metric="cityblock", method="entropic", eps=0.1, tol=0.0)
    with pytest.raises(ValueError, match="on_max_iter"):
        ob.barycenter([mu, nu], metric="cityblock", method="entropic", eps=0.1, on_max_iter="ignore")
    with pytest.raises(ValueError, match="max_iter"):
        sinkhorn_w1(mu, nu, 0.1, "cityblock", max_iter=0)
    for bad in (0.0, 2.0):
        with pytest.raises(ValueError, match="relaxation"):
            ob.barycenter([mu, nu], metric="cityblock", method="entropic", eps=0.1, relaxation=bad)
    with pytest.raises(ValueError, match="eps_scaling"):
        sinkhorn_w1(mu, nu, 0.1, "cityblock", eps_scaling=2.0)
    with pytest.raises(ValueError, match="support"):
        ob.barycenter([mu, nu], metric="cityblock", method="entropic", eps=0.1, support="free")
    with pytest.raises(TypeError, match="nu"):
        sinkhorn_w1(mu, "ones", 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dimensions"):
        sinkhorn_w1(mu, ob.Measure(np.zeros((2, 3))), 0.1)
