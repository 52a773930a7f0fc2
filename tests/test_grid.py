"""Grid fast paths: neighbour arcs, the interior-point LP solver, certified W1 and barycenters.

Every answer is checked against an independent oracle: POT's network simplex
(``ot.emd2``) on the dense cost matrix for W1, and POT's dense barycenter LP
(``ot.lp.barycenter``) for barycenters. Euclidean cost matrices are built with
``metric="minkowski", p=2`` (SciPy's ``cdist``): POT's ``metric="euclidean"`` goes through
``sqrt(|x|^2 + |y|^2 - 2 x.y)``, whose rounding (about 1e-8) would swamp the comparison.
"""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.sparse as sp
from scipy.interpolate import RegularGridInterpolator
from scipy.optimize import linprog

import otbary as ob
import otbary.exact.grid as grid_mod
from otbary.arcs import neighbour_arcs, offset_arcs, primitive_offsets
from otbary.exact import colgen
from otbary.exact.grid import barycenter_grid, w1_grid
from otbary.exact.ipm import solve_lp
from otbary.geometry import pairwise_distances

METRICS = ("cityblock", "chebyshev", "euclidean")
RTOL = 1e-8


def cost_matrix(grid: ob.Grid, metric: str) -> np.ndarray:
    """Dense ``d(x_i, x_j)`` on the grid nodes, computed exactly (SciPy's ``cdist``)."""
    return pairwise_distances(grid.points, grid.points, metric)


def histogram(rng: np.random.Generator, n: int, sparse: bool = False) -> np.ndarray:
    v = rng.random(n)
    if sparse:
        v[rng.random(n) < 0.7] = 0.0
        v[rng.integers(n)] += 0.5
    return v / v.sum()


def barycenter_value(b: np.ndarray, inputs: np.ndarray, lam: np.ndarray, M: np.ndarray) -> float:
    """``sum_k lam_k W1(b, a_k)`` by POT's network simplex."""
    return float(sum(lk * ot.emd2(b, inputs[:, k], M) for k, lk in enumerate(lam)))


def assert_certified(res: ob.BarycenterResult | ob.W1Result) -> None:
    assert np.isfinite(res.cost) and np.isfinite(res.lower_bound)
    assert res.lower_bound <= res.cost + 1e-12
    assert res.gap <= 1e-7 * max(res.cost, 1e-4)  # GAP_RTOL, GAP_FLOOR * diameter (~1)
    assert res.status == "optimal"


# --------------------------------------------------------------------------- arcs


@pytest.mark.parametrize(
    ("shape", "metric", "expected"),
    [
        ((5,), "cityblock", 8),
        ((4, 3), "cityblock", 2 * (3 * 3 + 4 * 2)),
        ((3, 3, 3), "cityblock", 6 * 2 * 9),
        ((4, 3), "chebyshev", 2 * (3 * 3 + 4 * 2 + 2 * 3 * 2)),
        ((3, 3, 3), "chebyshev", 2 * (3 * 2 * 9 + 6 * 2 * 2 * 3 + 4 * 8)),
    ],
)
def test_neighbour_arc_counts(shape: tuple[int, ...], metric: str, expected: int) -> None:
    tail, head, length = neighbour_arcs(ob.Grid(shape), metric)
    assert tail.size == head.size == length.size == expected
    assert len(set(zip(tail.tolist(), head.tolist(), strict=True))) == expected  # no duplicates


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("shape", [(6,), (5, 4), (3, 4, 3)])
def test_arc_lengths_are_distances(metric: str, shape: tuple[int, ...]) -> None:
    grid = ob.Grid(shape, spacing=[0.5, 0.25, 2.0][: len(shape)])
    tail, head, length = neighbour_arcs(grid, metric, radius=2)
    pts = grid.points
    d = ob.geometry.norm(pts[tail] - pts[head], metric)
    np.testing.assert_allclose(length, d, rtol=1e-15)


def test_primitive_offsets_and_reverse_arcs() -> None:
    offs = primitive_offsets(2, 2)
    assert offs.shape == (16, 2)
    assert all(np.gcd(*o) == 1 for o in offs)
    np.testing.assert_array_equal(offs[0::2], -offs[1::2])
    arcs = offset_arcs(ob.Grid((5, 4)), offs, "euclidean")
    np.testing.assert_array_equal(arcs.tail[arcs.reverse], arcs.head)
    np.testing.assert_array_equal(arcs.head[arcs.reverse], arcs.tail)


# --------------------------------------------------------------------------- interior point


def test_ipm_matches_highs_on_random_lp() -> None:
    A, b, c = _random_lp()
    res = solve_lp(c, A, b)
    ref = linprog(c, A_eq=A, b_eq=b, method="highs")
    assert res.status == "optimal"
    assert abs(c @ res.x - ref.fun) <= 1e-9 * abs(ref.fun)
    assert abs(b @ res.y - ref.fun) <= 1e-9 * abs(ref.fun)
    np.testing.assert_allclose(A @ res.x, b, atol=1e-12)


def _random_lp() -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    m, n = 40, 120
    A = sp.hstack([sp.identity(m), sp.random(m, n - m, density=0.1, random_state=4)], format="csr")
    return A, A @ rng.random(n), rng.random(n)


def test_ipm_failure_modes_keep_the_best_iterate(monkeypatch: pytest.MonkeyPatch) -> None:
    from otbary.exact import ipm

    A, b, c = _random_lp()
    capped = solve_lp(c, A, b, max_iter=2)
    assert capped.status == "max_iter" and capped.iterations == 2 and np.all(np.isfinite(capped.x))
    # no progress: the best iterate does not change for STALL_ITERATIONS iterations
    monkeypatch.setattr(ipm, "_step", lambda newton, x, y, s, rp, rd, reg: (x, y, s, (0.0, 0.0, 0.0, 0.0)))
    stalled = solve_lp(c, A, b)
    assert stalled.status == "stalled" and stalled.iterations == 1 + ipm.STALL_ITERATIONS

    def broken(*args: object) -> None:
        raise FloatingPointError("PARDISO error -4 in phase 22")

    monkeypatch.setattr(ipm, "_step", broken)
    failed = solve_lp(c, A, b)
    assert failed.status.startswith("numerical_failure: PARDISO error -4") and np.all(np.isfinite(failed.y))


def test_grid_lp_falls_back_to_the_highs_simplex(monkeypatch: pytest.MonkeyPatch) -> None:
    from otbary.exact import grid as g

    real = g.solve_lp

    def stalls(*args: object, **kwargs: object) -> object:
        res = real(*args, **kwargs)  # type: ignore[arg-type]
        res.status = "stalled"
        return res

    monkeypatch.setattr(g, "solve_lp", stalls)
    grid = ob.Grid((5, 4), spacing=0.5)
    rng = np.random.default_rng(2)
    a, b = histogram(rng, grid.size), histogram(rng, grid.size)
    res = w1_grid(ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b), "cityblock")
    assert res.info["backend"] == "highs-ds" and res.info["ipm_status"] == "stalled"
    assert res.cost == pytest.approx(ot.emd2(a, b, cost_matrix(grid, "cityblock")), rel=RTOL)
    assert_certified(res)


def test_ipm_superlu_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    from otbary.exact import factor

    monkeypatch.setattr(factor, "_PARDISO", [None])
    grid = ob.Grid((5, 4), spacing=0.5)
    rng = np.random.default_rng(1)
    a, b = histogram(rng, grid.size), histogram(rng, grid.size)
    res = w1_grid(ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b), "cityblock")
    assert res.info["backend"] == "superlu"
    assert res.cost == pytest.approx(ot.emd2(a, b, cost_matrix(grid, "cityblock")), rel=RTOL)


# --------------------------------------------------------------------------- W1


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize(("shape", "spacing"), [((9,), 0.3), ((6, 5), 1 / 5), ((4, 3, 3), (1.0, 0.5, 0.7))])
@pytest.mark.parametrize("sparse", [False, True])
def test_w1_grid_matches_network_simplex(metric: str, shape: tuple[int, ...],
                                         spacing: float | tuple[float, ...], sparse: bool) -> None:
    rng = np.random.default_rng(hash((metric, shape, sparse)) % 2**32)
    grid = ob.Grid(shape, spacing=spacing)
    a, b = histogram(rng, grid.size, sparse), histogram(rng, grid.size, sparse)
    ref = ot.emd2(a, b, cost_matrix(grid, metric))
    res = w1_grid(ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b), metric)
    assert res.method == "grid-flow"
    assert_certified(res)
    assert res.cost == pytest.approx(ref, rel=RTOL)
    f = res.potential
    assert f.lipschitz == 1.0
    assert f.max_violation() <= 1e-12
    assert res.lower_bound == pytest.approx(float(f.values @ (a - b)), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("metric", METRICS)
def test_w1_public_api_on_grid(metric: str) -> None:
    rng = np.random.default_rng(7)
    grid = ob.Grid((7, 6), spacing=0.2)
    a, b = histogram(rng, grid.size), histogram(rng, grid.size, sparse=True)
    mu, nu = ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b)
    ref = ot.emd2(a, b, cost_matrix(grid, metric))
    assert ob.w1(mu, nu, metric=metric) == pytest.approx(ref, rel=RTOL)
    res = ob.solve_w1(mu, nu, metric=metric)
    assert res.method == "grid-flow"
    assert res.info["n_arcs"] > 0


def test_w1_grid_edge_cases() -> None:
    grid = ob.Grid((5, 4), spacing=0.5)
    a = histogram(np.random.default_rng(0), grid.size)
    mu = ob.Measure.on_grid(grid, a)
    same = w1_grid(mu, mu, "cityblock")
    assert same.cost == pytest.approx(0.0, abs=1e-12)
    assert_certified(same)
    p, q = np.zeros(grid.size), np.zeros(grid.size)
    p[0], q[-1] = 1.0, 1.0
    far = w1_grid(ob.Measure.on_grid(grid, p), ob.Measure.on_grid(grid, q), "cityblock")
    assert far.cost == pytest.approx(4 * 0.5 + 3 * 0.5, rel=1e-12)
    one = ob.Grid((1, 1))
    single = w1_grid(ob.Measure.on_grid(one, [1.0]), ob.Measure.on_grid(one, [1.0]), "euclidean")
    assert single.cost == 0.0 and single.lower_bound == 0.0


def test_euclidean_arc_generation_records_rounds() -> None:
    grid = ob.Grid((9, 9), spacing=1 / 8)
    a, b = np.zeros(grid.size), np.zeros(grid.size)
    a[grid.index([0, 0])], b[grid.index([8, 3])] = 1.0, 1.0  # direction (8, 3) is not in radius 2
    res = w1_grid(ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b), "euclidean")
    assert res.cost == pytest.approx(np.hypot(1.0, 3 / 8), rel=1e-10)
    assert res.info["rounds"] >= 2
    assert_certified(res)


# --------------------------------------------------------------------------- barycenters


BARY_CASES = [
    ("cityblock", (6, 6), [0.5, 0.3, 0.2]),
    ("cityblock", (8, 8), [0.25, 0.25, 0.25, 0.25]),
    ("cityblock", (10,), [0.6, 0.4]),
    ("chebyshev", (6, 6), [0.2, 0.5, 0.3]),
    ("chebyshev", (5, 7), [0.5, 0.5]),
    ("euclidean", (6, 6), [1 / 3, 1 / 3, 1 / 3]),
    ("euclidean", (5, 5), [0.7, 0.2, 0.1]),
    ("cityblock", (3, 3, 3), [0.4, 0.6]),
    ("euclidean", (3, 3, 2), [0.3, 0.3, 0.4]),
]


@pytest.mark.parametrize(("metric", "shape", "weights"), BARY_CASES)
def test_barycenter_grid_matches_pot_lp(metric: str, shape: tuple[int, ...], weights: list[float]) -> None:
    rng = np.random.default_rng(len(shape) * 100 + len(weights))
    grid = ob.Grid(shape, spacing=1 / (shape[0] - 1))
    lam = np.asarray(weights)
    inputs = np.stack([histogram(rng, grid.size, sparse=k % 2 == 1) for k in range(lam.size)], axis=1)
    M = cost_matrix(grid, metric)
    ref = barycenter_value(ot.lp.barycenter(inputs, M, lam, solver="highs"), inputs, lam, M)
    ms = [ob.Measure.on_grid(grid, inputs[:, k]) for k in range(lam.size)]
    res = barycenter_grid(ms, lam, metric, grid)
    assert_certified(res)
    assert res.cost == pytest.approx(ref, rel=RTOL)
    # the returned measure really achieves the cost, input by input
    b = np.asarray(res.measure.weights)
    exact = np.array([ot.emd2(b, inputs[:, k], M) for k in range(lam.size)])
    np.testing.assert_allclose(res.costs, exact, rtol=1e-7, atol=1e-12)
    assert res.cost == pytest.approx(float(lam @ exact), rel=1e-8)
    assert res.potentials is not None
    for pot, lk in zip(res.potentials, lam, strict=True):
        assert pot.lipschitz == lk
        assert pot.max_violation() <= 1e-12
    assert res.info["support"] == "grid"
    assert res.info["costs_not_certified"] == []
    assert res.method == "exact"


def test_barycenter_public_api_on_grid() -> None:
    rng = np.random.default_rng(11)
    grid = ob.Grid((7, 7), spacing=1 / 6)
    ms = [ob.Measure.on_grid(grid, histogram(rng, grid.size)) for _ in range(3)]
    res = ob.barycenter(ms, weights=[0.2, 0.3, 0.5], metric="cityblock")
    assert res.info["support"] == "grid"
    assert res.measure.grid == grid
    assert_certified(res)


def test_barycenter_weight_zero_and_single_input() -> None:
    rng = np.random.default_rng(5)
    grid = ob.Grid((6, 5), spacing=0.25)
    hs = [histogram(rng, grid.size) for _ in range(3)]
    ms = [ob.Measure.on_grid(grid, h) for h in hs]
    M = cost_matrix(grid, "cityblock")
    lam = np.array([0.6, 0.0, 0.4])
    res = barycenter_grid(ms, lam, "cityblock", grid)
    assert_certified(res)
    assert res.potentials is not None and np.ptp(res.potentials[1].values) == 0.0
    b = np.asarray(res.measure.weights)
    assert res.costs[1] == pytest.approx(ot.emd2(b, hs[1], M), rel=1e-7)
    # two inputs, lam_1 > lam_2: the optimum is lam_2 W1(nu_1, nu_2) (theory fact 5)
    assert res.cost == pytest.approx(0.4 * ot.emd2(hs[0], hs[2], M), rel=1e-8)
    solo = barycenter_grid(ms[:1], np.ones(1), "euclidean", grid)
    assert solo.cost == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(solo.measure.weights, hs[0], atol=1e-9)


def test_barycenter_identical_inputs_and_point_masses() -> None:
    grid = ob.Grid((5, 5), spacing=0.25)
    h = histogram(np.random.default_rng(2), grid.size)
    same = barycenter_grid([ob.Measure.on_grid(grid, h)] * 3, np.full(3, 1 / 3), "chebyshev", grid)
    assert same.cost == pytest.approx(0.0, abs=1e-10)
    assert_certified(same)
    deltas = []
    for idx in ([0, 0], [4, 0], [2, 4]):
        v = np.zeros(grid.size)
        v[grid.index(idx)] = 1.0
        deltas.append(ob.Measure.on_grid(grid, v))
    res = barycenter_grid(deltas, np.full(3, 1 / 3), "cityblock", grid)
    # weighted coordinate-wise median of the three points is (2, 0): distances 2 + 2 + 4 steps
    assert res.cost == pytest.approx((2 + 2 + 4) * 0.25 / 3, rel=1e-9)
    one = ob.Grid((1,))
    single = barycenter_grid([ob.Measure.on_grid(one, [1.0])] * 2, np.array([0.5, 0.5]), "cityblock", one)
    assert single.cost == 0.0 and single.measure.weights[0] == 1.0


def test_translates_cityblock_weighted_median() -> None:
    """theory fact 6 (cityblock): optimum = sum_k lam_k ||a_k - a*||_1, a* the weighted median."""
    grid = ob.Grid((12, 12), spacing=0.1)
    shape = np.zeros((12, 12))
    shape[0:3, 0:2] = [[0.1, 0.2], [0.3, 0.1], [0.2, 0.1]]
    shifts = np.array([[0, 0], [6, 2], [3, 9], [8, 7]])
    lam = np.array([0.1, 0.2, 0.3, 0.4])
    ms = [ob.Measure.on_grid(grid, np.roll(shape, tuple(s), axis=(0, 1))) for s in shifts]
    res = barycenter_grid(ms, lam, "cityblock", grid)
    median = []
    for ax in range(2):
        order = np.argsort(shifts[:, ax])
        cum = np.cumsum(lam[order])
        median.append(shifts[order][np.searchsorted(cum, 0.5), ax])
    expected = 0.1 * float(lam @ np.abs(shifts - np.array(median)).sum(axis=1))
    assert res.cost == pytest.approx(expected, rel=1e-9)
    assert_certified(res)


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
def test_coarse_to_fine_column_generation_matches_pot(monkeypatch: pytest.MonkeyPatch, metric: str) -> None:
    """The pair-arc column generation, seeded from a coarser grid, against POT's LP and emd2.

    Chebyshev with unequal spacing also goes through column generation (its 8-neighbour
    graph is not exact then).
    """
    monkeypatch.setattr(colgen, "COARSE_ABOVE", 20)  # 9x7 -> 5x4 -> direct
    rng = np.random.default_rng(21)
    grid = ob.Grid((9, 7), spacing=[1 / 8, 1 / 4] if metric == "chebyshev" else 1 / 8)
    lam = np.array([0.5, 0.3, 0.2])
    inputs = np.stack([histogram(rng, grid.size, sparse=k == 1) for k in range(3)], axis=1)
    M = cost_matrix(grid, metric)
    ref = barycenter_value(ot.lp.barycenter(inputs, M, lam, solver="highs"), inputs, lam, M)
    ms = [ob.Measure.on_grid(grid, inputs[:, k]) for k in range(3)]
    res = barycenter_grid(ms, lam, metric, grid)
    assert_certified(res)
    assert res.info["solver"] == "colgen" and res.info["coarse_rounds"] >= 1
    assert res.cost == pytest.approx(ref, rel=RTOL)
    b = np.asarray(res.measure.weights)
    np.testing.assert_allclose(res.costs, [ot.emd2(b, inputs[:, k], M) for k in range(3)], rtol=1e-7)
    w = w1_grid(ms[0], ms[1], metric)
    assert_certified(w)
    assert w.cost == pytest.approx(ot.emd2(inputs[:, 0], inputs[:, 1], M), rel=RTOL)



def test_coarse_dual_seed_adds_violated_pairs_keeps_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeding the fine level with pairs priced by the interpolated coarse duals changes the
    starting columns only: the certified optimum equals POT's LP with and without it."""
    monkeypatch.setattr(colgen, "COARSE_ABOVE", 20)
    rng = np.random.default_rng(5)
    grid = ob.Grid((9, 8), spacing=1 / 8)
    lam = np.array([0.4, 0.6])
    ms, ref = _euclidean_case(rng, grid, lam)
    seeds: list[int] = []
    priced = colgen._seed_priced

    def spy(*args: object, **kwargs: object) -> list[tuple[np.ndarray, np.ndarray]]:
        out = priced(*args, **kwargs)  # type: ignore[arg-type]
        before = args[-1]
        assert isinstance(before, list)
        seeds.append(sum(t.size for t, _ in out) - sum(t.size for t, _ in before))
        return out

    monkeypatch.setattr(colgen, "_seed_priced", spy)
    res = barycenter_grid(ms, lam, "euclidean", grid)
    assert seeds and seeds[0] > 0
    monkeypatch.setattr(colgen, "SEED_PER_NODE", 0)
    plain = barycenter_grid(ms, lam, "euclidean", grid)
    for r in (res, plain):
        assert_certified(r)
        assert r.cost == pytest.approx(ref, rel=RTOL)

    # the priced pairs are violated by the interpolated duals, at most SEED_PER_NODE per node
    coarse, _ = colgen._coarse(grid)
    y = rng.normal(size=coarse.size) * 3.0
    local = offset_arcs(coarse, primitive_offsets(2, 1), "euclidean")
    sol = colgen.ColgenSolution(local, [], [], [], [], [y], None)
    empty = np.zeros(0, dtype=np.intp)
    monkeypatch.setattr(colgen, "SEED_PER_NODE", 2)
    guess = colgen._interpolated_duals(grid, coarse, sol)
    (t, h), = priced(grid, "euclidean", guess, np.ones(1), 2.0, [(empty, empty)])
    assert t.size > 0 and np.all(np.bincount(t, minlength=grid.size) <= 2)
    d = np.hypot(*((grid.points[t] - grid.points[h]).T))
    axes = [np.arange(m) * 2 / 8 for m in coarse.shape]
    interp = RegularGridInterpolator(axes, y.reshape(coarse.shape), bounds_error=False, fill_value=None)
    yi = interp(grid.points)
    assert np.all(yi[t] - yi[h] - d > 0)


def test_colgen_rounds_resolved_from_scratch_match_pot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every round re-solved by HiGHS's interior point (the large-grid path) gives POT's optimum."""
    monkeypatch.setattr(colgen, "REFRESH_ABOVE", 0)
    monkeypatch.setattr(colgen, "REFRESH_FRACTION", 0.0)
    grid = ob.Grid((7, 6), spacing=1 / 6)
    lam = np.array([0.3, 0.7])
    ms, ref = _euclidean_case(np.random.default_rng(9), grid, lam)
    res = barycenter_grid(ms, lam, "euclidean", grid)
    assert_certified(res)
    assert res.info["rounds"] >= 2
    assert res.cost == pytest.approx(ref, rel=RTOL)


def _euclidean_case(rng: np.random.Generator, grid: ob.Grid,
                    lam: np.ndarray) -> tuple[list[ob.Measure], float]:
    """Random histograms on ``grid``, one per weight, and POT's euclidean barycenter optimum."""
    inputs = np.stack([histogram(rng, grid.size) for _ in lam], axis=1)
    M = cost_matrix(grid, "euclidean")
    ref = barycenter_value(ot.lp.barycenter(inputs, M, lam, solver="highs"), inputs, lam, M)
    return [ob.Measure.on_grid(grid, inputs[:, k]) for k in range(lam.size)], ref


@pytest.mark.parametrize("drop", [1e-6, 0.1])
def test_colgen_dropping_priced_out_columns_keeps_optimum(monkeypatch: pytest.MonkeyPatch,
                                                          drop: float) -> None:
    """Columns (local arcs included) deleted before each fresh re-solve because their reduced
    cost exceeds ``drop`` times the cheapest arc: the answer is still POT's certified optimum,
    and the W1 flows, with dropped local arcs, still balance."""
    monkeypatch.setattr(colgen, "REFRESH_ABOVE", 0)
    monkeypatch.setattr(colgen, "REFRESH_FRACTION", 0.0)
    monkeypatch.setattr(colgen, "DROP_FRACTION", drop)
    rng = np.random.default_rng(19)
    grid = ob.Grid((8, 7), spacing=1 / 7)
    lam = np.array([0.5, 0.2, 0.3])
    ms, ref = _euclidean_case(rng, grid, lam)
    calls: list[int] = []
    drop_cols = colgen._Model.drop

    def spy(self: object, rc: np.ndarray, threshold: float) -> int:
        n = drop_cols(self, rc, threshold)  # type: ignore[arg-type]
        calls.append(n)
        return n

    monkeypatch.setattr(colgen._Model, "drop", spy)
    res = barycenter_grid(ms, lam, "euclidean", grid)
    assert_certified(res)
    assert res.cost == pytest.approx(ref, rel=RTOL)
    assert calls and sum(calls) > 0
    a, b = histogram(rng, grid.size), histogram(rng, grid.size)
    M = cost_matrix(grid, "euclidean")
    w = ob.solve_w1(ob.Measure.on_grid(grid, a), ob.Measure.on_grid(grid, b), metric="euclidean")
    assert w.lower_bound == pytest.approx(w.cost, rel=RTOL)
    assert w.cost == pytest.approx(ot.emd2(a, b, M), rel=RTOL)


def test_colgen_fine_level_filtered_by_guessed_duals_keeps_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the fine level started from the axis steps and the arcs the interpolated coarse
    duals price (almost) tight only, the certified answer is still POT's optimum."""
    monkeypatch.setattr(colgen, "COARSE_ABOVE", 20)
    monkeypatch.setattr(colgen, "SEED_KEEP_FRACTION", 1e-9)
    grid = ob.Grid((10, 9), spacing=1 / 9)
    lam = np.array([0.25, 0.35, 0.4])
    ms, ref = _euclidean_case(np.random.default_rng(23), grid, lam)
    started: list[int] = []  # local arcs each block of the fine level starts with
    add = colgen._Model.add_arcs

    def spy(self: colgen._Model, block: int, tail: np.ndarray, head: np.ndarray, length: np.ndarray,
            local_index: np.ndarray | None = None) -> None:
        if local_index is not None and self.n == grid.size:
            started.append(local_index.size)
        add(self, block, tail, head, length, local_index)

    monkeypatch.setattr(colgen._Model, "add_arcs", spy)
    res = barycenter_grid(ms, lam, "euclidean", grid)
    assert_certified(res)
    assert res.cost == pytest.approx(ref, rel=RTOL)
    # the axis steps are the unit offsets along one axis: 2 (n_x - 1) n_y + 2 n_x (n_y - 1) arcs
    local = offset_arcs(grid, primitive_offsets(2, 1), "euclidean")
    # the filter was applied: every block started with fewer local arcs than all, the axis steps at least
    assert len(started) == 3 and all(2 * 9 * 9 + 2 * 10 * 8 <= m < local.size for m in started)
    axis = colgen._axis_steps(grid, local)
    assert int(axis.sum()) == 2 * 9 * 9 + 2 * 10 * 8
    assert np.allclose(local.length[axis], 1 / 9)

def test_ipm_fast_tolerance_retries_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loose first interior-point solve whose certificate fails is solved again, strictly."""
    monkeypatch.setattr(grid_mod, "IPM_TOL_FAST", 1e-2)
    rng = np.random.default_rng(8)
    grid = ob.Grid((6, 6), spacing=0.2)
    inputs = np.stack([histogram(rng, grid.size) for _ in range(3)], axis=1)
    lam = np.array([0.2, 0.3, 0.5])
    M = cost_matrix(grid, "cityblock")
    res = barycenter_grid([ob.Measure.on_grid(grid, inputs[:, k]) for k in range(3)], lam, "cityblock", grid)
    assert_certified(res)
    assert res.info["retried_tolerance"] == grid_mod.IPM_TOL_STRICT
    ref = barycenter_value(ot.lp.barycenter(inputs, M, lam, solver="highs"), inputs, lam, M)
    assert res.cost == pytest.approx(ref, rel=RTOL)


@pytest.mark.slow
def test_barycenter_medium_grid_is_certified() -> None:
    n = 32
    grid = ob.Grid((n, n), spacing=1 / (n - 1))
    pts = grid.points
    ms = []
    for cx, cy, s in [(0.3, 0.3, 0.1), (0.7, 0.4, 0.15), (0.5, 0.75, 0.08)]:
        v = np.exp(-((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2) / (2 * s * s))
        ms.append(ob.Measure.on_grid(grid, v, normalize=True))
    res = barycenter_grid(ms, np.full(3, 1 / 3), "cityblock", grid)
    assert_certified(res)
    small = ob.Grid((12, 12), spacing=1 / 11)
    pts = small.points
    ms = [ob.Measure.on_grid(small, np.exp(-((pts - c) ** 2).sum(axis=1) / 0.02), normalize=True)
          for c in ([0.2, 0.3], [0.8, 0.5], [0.4, 0.9])]
    res = barycenter_grid(ms, np.full(3, 1 / 3), "euclidean", small)
    assert_certified(res)
    # column generation certified it with a small share of the 144^2 node pairs per input
    assert 0 < res.info["n_arcs"] < 0.25 * 3 * small.size**2
