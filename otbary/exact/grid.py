"""Exact W1 and fixed-support W1 barycenters of histograms on one regular grid.

W1 on a grid is a min-cost flow on a neighbour graph (theory fact 2, arcs from
:mod:`otbary.arcs`)::

    W1(mu, nu) = min sum_e len_e f_e   s.t.  f >= 0,  D f = mu - nu,

with ``D`` the node-arc incidence matrix (``+1`` at the tail, ``-1`` at the head). The
barycenter on the grid nodes is one LP (theory fact 3)::

    min sum_k lam_k len.f_k   s.t.  D f_k - mu = -nu_k  (k = 1..K),  f_k >= 0,  mu >= 0

(``sum mu = 1`` is implied; node 0's row is dropped in blocks 2..K to make the rows
independent). Both LPs are solved by the interior-point method of
:mod:`otbary.exact.ipm`; its answer is then **certified**:

* dual: the row duals ``y_k`` are ``lam_k``-Lipschitz on the arcs up to the solver
  tolerance; :func:`~otbary.potentials.lipschitz_envelope` turns them into exactly
  ``lam_k``-Lipschitz ``g_k`` and ``min_i sum_k g_k(i) - sum_k <g_k, nu_k>`` is a lower
  bound on the optimum (``<f, mu - nu>`` for W1);
* primal: ``mu`` is clipped and renormalised, flows clipped, opposite flows cancelled and
  the residual of the flow-conservation equations routed exactly along a spanning tree of
  the grid, so every flow is feasible and ``len.f_k`` is an upper bound on ``W1(mu, nu_k)``;
* if ``cost - lower_bound > GAP_RTOL_IPM * max(cost, GAP_FLOOR * diameter)``,
  :class:`~otbary.errors.NotOptimalError` is raised.

Metrics: cityblock uses the ``2d`` unit steps and chebyshev (uniform spacing) the
``3^d - 1`` neighbours, whose path metrics are exact; those LPs are solved by the interior
point method, first to :data:`IPM_TOL_FAST` and, if the certificate then misses, again to
:data:`IPM_TOL_STRICT`. Euclidean (and chebyshev with unequal spacing) are solved by column
generation over node pairs with HiGHS's simplex method, coarse-to-fine
(:mod:`otbary.exact.colgen`): arcs ``i -> j`` of one input are added while the duals price
them as violated, ``y_k(i) - y_k(j) > lam_k d(i, j)``; when none is, the flow is exact for
the true metric (a dual feasible for all pairs is a Kantorovich potential). The
direction-based generation (:data:`START_RADIUS`, ``_price``, ``_with_offsets``: every
translate of the primitive directions of the violated pairs) is kept for
:mod:`otbary.balls`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Optional, Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..arcs import ArcSet, neighbour_offsets, offset_arcs
from ..certificates import GAP_RTOL_IPM, check_gap
from ..errors import NotOptimalError
from ..geometry import Grid, check_metric, pairwise_distances
from ..measures import Measure
from ..potentials import Potential, barycenter_lower_bound, lipschitz_envelope
from ..results import BarycenterResult, W1Result
from .colgen import ColgenSolution, pair_lengths, solve_colgen
from .highs import solve_lp as highs_lp
from .ipm import IPMResult, solve_lp

__all__ = ["FLOW_GRAPH_RADIUS", "FlowGraph", "GAP_FLOOR", "barycenter_grid", "w1_grid"]

Vector = NDArray[np.float64]

#: Certified relative gap: ``cost - lower_bound <= GAP_RTOL_IPM * max(cost, GAP_FLOOR * diam)``
#: or :class:`~otbary.errors.NotOptimalError` is raised (``diam``: the grid's diameter in
#: the metric, so answers whose cost is below ``GAP_FLOOR * diam`` are certified to an
#: absolute ``GAP_RTOL_IPM * GAP_FLOOR * diam``).
GAP_FLOOR = 1e-4
#: Interior-point tolerances (relative infeasibilities and duality gap): W1 and barycenter
#: LPs are solved to ``IPM_TOL_FAST`` first (``1e-8`` would save a few more iterations but
#: leaves the barycenter measure only ``1e-8``-accurate); one that met it but whose
#: certificate misses :data:`GAP_RTOL_IPM` is solved again to ``IPM_TOL_STRICT`` (the default of
#: :func:`_solve_lp`).
IPM_TOL_FAST = 1e-10
IPM_TOL_STRICT = 1e-12
#: Direction-based arc generation (used by :mod:`otbary.balls`): initial offset radius,
#: pricing tolerance, round limit, and the number of new directions (each with its
#: opposite) added per round.
START_RADIUS = 3
PRICE_RTOL = 1e-7
MAX_ROUNDS = 30
MAX_NEW_DIRECTIONS = 24
#: LPs with at most this many variables are re-solved by HiGHS's dual simplex when the
#: interior point method stops without converging.
SIMPLEX_MAX_COLUMNS = 20000
_CHUNK = 1024


def _exact_arcs(grid: Grid, metric: str) -> bool:
    """Whether the neighbour graph's path metric is the metric itself."""
    return metric == "cityblock" or (metric == "chebyshev" and len(set(grid.spacing)) == 1)


def _incidence(n_nodes: int, arcs: ArcSet) -> sp.csc_matrix:
    """Node-arc incidence ``D``: ``(D f)_i = out_i - in_i``."""
    m = arcs.size
    rows = np.concatenate([arcs.tail, arcs.head])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    vals = np.concatenate([np.ones(m), -np.ones(m)])
    return sp.csc_matrix((vals, (rows, cols)), shape=(n_nodes, m))


# --------------------------------------------------------------------------- LP assembly


@dataclass
class _FlowSolution:
    """Raw (uncertified) solution of a flow LP: one flow and one dual per input."""

    flows: list[Vector]
    duals: list[Vector]
    mu: Optional[Vector]
    ipm: IPMResult


def _solve_lp(c: Vector, A: sp.spmatrix, b: Vector, tol: float = IPM_TOL_STRICT,
              dual_bound: Optional[Callable[[Vector], float]] = None) -> IPMResult:
    """Interior point; HiGHS dual simplex instead when it did not converge on a small LP.

    Tiny, highly degenerate LPs (identical inputs on a few nodes) can break the interior
    point method down; a vertex from the simplex method certifies them exactly.
    """
    # the lean settings (no correctors, no refinement) only on the fast first pass
    res = solve_lp(c, A, b, tol=tol, dual_bound=dual_bound, lean=None if tol >= IPM_TOL_FAST else False)
    if res.status == "optimal" or A.shape[1] > SIMPLEX_MAX_COLUMNS:
        return res
    try:
        lp = highs_lp(c, A, b, what="flow LP", simplex=True)
    except NotOptimalError:
        return res
    y = lp.row_duals
    info = dict(res.info, backend="highs-ds", ipm_status=res.status)
    return IPMResult(lp.x, y, c - A.T @ y, "optimal", res.iterations, info)


def _solve_w1_lp(D: sp.csc_matrix, length: Vector, supply: Vector, tol: float = IPM_TOL_STRICT,
                 bound: Optional[Callable[[list[Vector]], float]] = None) -> _FlowSolution:
    """``min len.f s.t. D f = supply, f >= 0`` (node 0's redundant row dropped).

    ``bound(duals)``, given the node duals, is a certified lower bound (passed to the
    interior point method, which returns the duals with the best one).
    """
    dual_bound = None if bound is None else (lambda y: bound([np.concatenate([[0.0], y])]))
    res = _solve_lp(length, D[1:], supply[1:], tol, dual_bound)
    return _FlowSolution([res.x], [np.concatenate([[0.0], res.y])], None, res)


def _solve_barycenter_lp(
    D: sp.csc_matrix, length: Vector, nus: Sequence[Vector], lam: Vector, tol: float = IPM_TOL_STRICT,
    bound: Optional[Callable[[list[Vector]], float]] = None,
) -> _FlowSolution:
    """The barycenter LP of the module docstring, variables ``(f_1..f_K, mu)``.

    ``bound`` as in :func:`_solve_w1_lp`, given the duals of each block.
    """
    n, m = D.shape
    k = len(nus)
    A = sp.hstack([sp.block_diag([D] * k, format="csc"), -sp.vstack([sp.identity(n)] * k)], format="csr")
    keep = np.ones(k * n, dtype=bool)
    keep[n::n] = False  # node 0 of blocks 2..K
    b = -np.concatenate(nus)
    c = np.concatenate([lk * length for lk in lam] + [np.zeros(n)])
    def split(y_kept: Vector) -> list[Vector]:
        y_full = np.zeros(k * n)
        y_full[keep] = y_kept
        return [y_full[i * n : (i + 1) * n] for i in range(k)]

    dual_bound = None if bound is None else (lambda y_kept: bound(split(y_kept)))
    res = _solve_lp(c, A[keep], b[keep], tol, dual_bound)
    y = np.zeros(k * n)
    y[keep] = res.y
    flows = [res.x[i * m : (i + 1) * m] for i in range(k)]
    return _FlowSolution(flows, [y[i * n : (i + 1) * n] for i in range(k)], res.x[k * m :], res)


# --------------------------------------------------------------------------- primal repair


class _Tree:
    """A comb spanning tree of the grid (axis-parallel unit arcs) and its arc numbers."""

    def __init__(self, grid: Grid, arcs: ArcSet) -> None:
        self.shape = grid.shape
        n = grid.size
        keys = arcs.tail.astype(np.int64) * n + arcs.head
        order = np.argsort(keys)
        sorted_keys = keys[order]
        idx = np.arange(n).reshape(grid.shape)
        self.forward: list[NDArray[np.intp]] = []
        self.backward: list[NDArray[np.intp]] = []
        for ax, size in enumerate(grid.shape):
            lo = [slice(None)] * grid.ndim
            hi = [slice(None)] * grid.ndim
            lo[ax], hi[ax] = slice(0, size - 1), slice(1, size)
            a, b = idx[tuple(lo)].astype(np.int64), idx[tuple(hi)].astype(np.int64)
            self.forward.append(order[np.searchsorted(sorted_keys, a * n + b)])
            self.backward.append(order[np.searchsorted(sorted_keys, b * n + a)])

    def route(self, residual: Vector, flow: Vector) -> None:
        """Add to ``flow`` a tree flow ``g >= 0`` with ``D g = residual`` (sum 0).

        Along each axis, from the last one, the residual of every line is pushed to the
        line's last node (flow on ``p -> p + 1`` = cumulative residual up to ``p``).
        """
        r = residual.reshape(self.shape).copy()
        for ax in reversed(range(len(self.shape))):
            size = self.shape[ax]
            if size == 1:
                continue
            cum = np.cumsum(r, axis=ax)
            push = np.take(cum, np.arange(size - 1), axis=ax)
            np.add.at(flow, self.forward[ax].ravel(), np.maximum(push, 0.0).ravel())
            np.add.at(flow, self.backward[ax].ravel(), np.maximum(-push, 0.0).ravel())
            total = np.take(cum, [size - 1], axis=ax)
            r = np.zeros_like(r)
            last = [slice(None)] * r.ndim
            last[ax] = slice(size - 1, size)
            r[tuple(last)] = total


def _feasible_flow(D: sp.csc_matrix, arcs: ArcSet, tree: _Tree, flow: Vector, supply: Vector) -> Vector:
    """Closest-at-hand exactly feasible flow: ``f >= 0`` with ``D f = supply``.

    The net flow ``f_e - f_rev(e)`` of each pair of opposite arcs goes on the arc where it
    is positive (this keeps ``D f`` and accepts slightly negative solver output); the
    residual ``supply - D f`` is routed along the tree.
    """
    f = np.maximum(flow - flow[arcs.reverse], 0.0)
    tree.route(supply - D @ f, f)
    return f


# --------------------------------------------------------------------------- arc generation


def _primitive(offsets: NDArray[np.intp]) -> NDArray[np.intp]:
    g = np.gcd.reduce(np.abs(offsets), axis=1)
    return offsets // g[:, None]


def _price(grid: Grid, metric: str, duals: Sequence[Vector], lam: Vector,
           have: NDArray[np.intp]) -> NDArray[np.intp]:
    """New primitive directions of the most violated pairs, at most :data:`MAX_NEW_DIRECTIONS`.

    A pair violates when ``y_k(i) - y_k(j) > lam_k d(i, j) (1 + PRICE_RTOL)``, i.e. the arc
    ``i -> j`` would have negative reduced cost. For each row ``i`` the worst ``j`` is
    kept; directions not in ``have`` are ranked by their largest violation.
    """
    pts = grid.points
    multi = np.stack(np.unravel_index(np.arange(grid.size), grid.shape), axis=1)
    offsets, scores = [], []
    for y, lk in zip(duals, lam, strict=True):
        for s in range(0, grid.size, _CHUNK):
            d = pairwise_distances(pts[s : s + _CHUNK], pts, metric)
            viol = (y[s : s + _CHUNK, None] - y[None, :]) - lk * (1.0 + PRICE_RTOL) * d
            j = np.argmax(viol, axis=1)
            worst = viol[np.arange(j.size), j]
            bad = worst > 0
            if np.any(bad):
                offsets.append(multi[j[bad]] - multi[s : s + _CHUNK][bad])
                scores.append(worst[bad])
    if not offsets:
        return np.zeros((0, grid.ndim), dtype=np.intp)
    prim = _primitive(np.concatenate(offsets))
    score = np.concatenate(scores)
    uniq, inv = np.unique(prim, axis=0, return_inverse=True)
    best = np.full(uniq.shape[0], -np.inf)
    np.maximum.at(best, inv.ravel(), score)
    known = {tuple(o) for o in have.tolist()}
    fresh = np.array([tuple(o) not in known for o in uniq.tolist()], dtype=bool)
    uniq, best = uniq[fresh], best[fresh]
    return uniq[np.argsort(-best)[:MAX_NEW_DIRECTIONS]]


def _with_offsets(offsets: NDArray[np.intp], new: NDArray[np.intp]) -> NDArray[np.intp]:
    """``offsets`` plus the pairs ``(o, -o)`` of the new directions not in it yet."""
    have = {tuple(o) for o in offsets}
    extra = []
    for o in new:
        t = tuple(int(v) for v in o)
        if t not in have:
            pair = [t, tuple(-v for v in t)]
            extra.extend(pair)
            have.update(pair)
    if not extra:
        return offsets
    return np.concatenate([offsets, np.array(extra, dtype=np.intp)])


@dataclass
class _Solved:
    """A flow LP solved on an arc set large enough for the metric."""

    arcs: ArcSet
    D: sp.csc_matrix
    sol: _FlowSolution
    info: dict[str, Any] = field(default_factory=dict)


def _solve_generating_arcs(
    grid: Grid, metric: str, lam: Vector, solve: Callable[[sp.csc_matrix, Vector], _FlowSolution]
) -> _Solved:
    """Solve ``solve(D, length)`` on the neighbour arcs, adding arcs priced by the duals."""
    exact = _exact_arcs(grid, metric)
    offsets = neighbour_offsets(grid.ndim, metric, 1 if exact else START_RADIUS)
    iterations, rounds = 0, 0
    while True:
        rounds += 1
        arcs = offset_arcs(grid, offsets, metric)
        D = _incidence(grid.size, arcs)
        sol = solve(D, arcs.length)
        iterations += sol.ipm.iterations
        if exact or rounds >= MAX_ROUNDS:
            break
        new = _with_offsets(offsets, _price(grid, metric, sol.duals, lam, offsets))
        if new.shape[0] == offsets.shape[0]:
            break
        offsets = new
    info = {
        "solver": "simplex" if sol.ipm.info["backend"] == "highs-ds" else "ipm",
        "backend": sol.ipm.info["backend"],
        "ipm_status": sol.ipm.info.get("ipm_status", sol.ipm.status),
        "iterations": iterations,
        "rounds": rounds,
        "n_arcs": arcs.size,
        "n_offsets": int(offsets.shape[0]),
    }
    return _Solved(arcs, D, sol, info)


# --------------------------------------------------------------------------- certification


def _check_gap(cost: float, lower: float, grid: Grid, metric: str, what: str, info: dict[str, Any]) -> None:
    """Raise :class:`NotOptimalError` unless ``cost - lower <= GAP_RTOL_IPM * max(cost, GAP_FLOOR diam)``."""
    check_gap(cost, lower, GAP_FLOOR * grid.diameter(metric), what, rtol=GAP_RTOL_IPM,
              detail=f" (solver {info.get('solver')!r}, interior point status {info.get('ipm_status')!r}, "
                     f"{info.get('iterations')} iterations, {info.get('rounds')} rounds)")


@dataclass
class _W1Core:
    cost: float
    lower: float
    potential: Vector
    info: dict[str, Any]


def _gap_ok(cost: float, lower: float, grid: Grid, metric: str) -> bool:
    """The test of :func:`_check_gap`, without raising."""
    return cost - lower <= GAP_RTOL_IPM * max(cost, GAP_FLOOR * grid.diameter(metric))


def _colgen_cost(grid: Grid, metric: str, sol: ColgenSolution, k: int, supply: Vector, tree: _Tree) -> float:
    """Length of an exactly feasible flow of block ``k`` of a column-generation answer.

    Flows are clipped at 0 and the residual ``supply - div f`` routed along ``tree``.
    """
    n = grid.size
    local = np.maximum(sol.flows_local[k], 0.0)
    pair = np.maximum(sol.flows_pair[k], 0.0)
    t, h = sol.pair_tail[k], sol.pair_head[k]
    div = (np.bincount(sol.local.tail, local, n) - np.bincount(sol.local.head, local, n)
           + np.bincount(t, pair, n) - np.bincount(h, pair, n))
    tree.route(supply - div, local)
    return float(sol.local.length @ local + pair_lengths(grid, metric, t, h) @ pair)


def _colgen_info(sol: ColgenSolution) -> dict[str, Any]:
    return dict(sol.info, solver="colgen", backend="highs", ipm_status=None)


def _w1_core(grid: Grid, metric: str, a: Vector, b: Vector) -> _W1Core:
    """Certified W1 between histograms ``a`` and ``b`` on ``grid``."""
    t0 = time.perf_counter()
    if grid.size == 1:
        return _W1Core(0.0, 0.0, np.zeros(1), {"solver": "trivial", "iterations": 0, "rounds": 0})
    supply = a - b
    if not _exact_arcs(grid, metric):
        sol = solve_colgen(grid, metric, [supply], np.ones(1), False, grid.diameter(metric), "w1_grid")
        cost = _colgen_cost(grid, metric, sol, 0, supply, _Tree(grid, sol.local))
        f = lipschitz_envelope(sol.duals[0], grid.points, metric, 1.0, grid=grid)
        info = _colgen_info(sol)
    else:
        def w1_bound(duals: list[Vector]) -> float:
            return float(lipschitz_envelope(duals[0], grid.points, metric, 1.0, grid=grid) @ supply)

        for tol in (IPM_TOL_FAST, IPM_TOL_STRICT):
            solved = _solve_generating_arcs(
                grid, metric, np.ones(1), partial(_solve_w1_lp, supply=supply, tol=tol, bound=w1_bound)
            )
            tree = _Tree(grid, solved.arcs)
            flow = _feasible_flow(solved.D, solved.arcs, tree, solved.sol.flows[0], supply)
            cost = float(solved.arcs.length @ flow)
            f = lipschitz_envelope(solved.sol.duals[0], grid.points, metric, 1.0, grid=grid)
            if _gap_ok(cost, float(f @ supply), grid, metric) or solved.sol.ipm.status != "optimal":
                break
        info = solved.info
    lower = float(f @ supply)
    info["time"] = time.perf_counter() - t0
    _check_gap(cost, lower, grid, metric, "w1_grid", info)
    return _W1Core(cost, lower, f, info)


def w1_grid(mu: Measure, nu: Measure, metric: str) -> W1Result:
    r"""Exact ``W1(mu, nu)`` for histograms on one grid, by a certified min-cost flow.

    .. math::

        W_1(\mu, \nu) = \min_{f \ge 0,\; D f = \mu - \nu} \sum_e \ell_e f_e
                      = \max_{\mathrm{Lip}(\varphi) \le 1} \langle \varphi, \mu - \nu \rangle

    on the neighbour graph of the grid (module docstring). ``.cost`` is the length of an
    exactly feasible flow, ``.lower_bound = <phi, mu - nu>`` for the exactly 1-Lipschitz
    ``.potential``; their gap is within :data:`GAP_RTOL_IPM`.

    Parameters
    ----------
    mu, nu : Measure
        Histograms on the same :class:`~otbary.Grid`.
    metric : {"cityblock", "chebyshev", "euclidean"}

    Returns
    -------
    W1Result
        ``method="grid-flow"``; ``info`` holds ``iterations``, ``rounds``, ``n_arcs``, ``time``.

    Raises
    ------
    NotOptimalError
        The certified gap exceeds the tolerance.
    """
    metric = check_metric(metric)
    grid = mu.grid
    if grid is None or nu.grid != grid:
        raise ValueError("w1_grid needs two histograms on the same Grid")
    core = _w1_core(grid, metric, np.asarray(mu.weights), np.asarray(nu.weights))
    pot = Potential(grid.points, core.potential, metric, lipschitz=1.0, grid=grid)
    return W1Result(core.cost, core.lower, pot, metric, "grid-flow", "optimal", core.info)


def _barycenter_core(grid: Grid, metric: str, nus: list[Vector], lam: Vector) -> tuple[
    Vector, Vector, list[Vector], dict[str, Any]
]:
    """Certified barycenter of the inputs with ``lam > 0``: ``(mu, costs, potentials, info)``.

    Exact neighbour graphs: the interior point method, to ``IPM_TOL_FAST`` then, if the
    certificate misses, to ``IPM_TOL_STRICT``. Others: column generation (:mod:`.colgen`).
    """
    if not _exact_arcs(grid, metric):
        sol = solve_colgen(grid, metric, [-nu for nu in nus], lam, True, grid.diameter(metric),
                           "barycenter_grid")
        assert sol.mu is not None
        mu = np.maximum(sol.mu, 0.0)
        mu /= mu.sum()
        tree = _Tree(grid, sol.local)
        costs = np.array([_colgen_cost(grid, metric, sol, k, mu - nu, tree) for k, nu in enumerate(nus)])
        pots = [lipschitz_envelope(y, grid.points, metric, float(lk), grid=grid)
                for y, lk in zip(sol.duals, lam, strict=True)]
        return mu, costs, pots, _colgen_info(sol)
    def bary_bound(duals: list[Vector]) -> float:
        pots = [lipschitz_envelope(y, grid.points, metric, float(lk), grid=grid)
                for y, lk in zip(duals, lam, strict=True)]
        return barycenter_lower_bound(pots, pots, nus)

    for tol in (IPM_TOL_FAST, IPM_TOL_STRICT):
        solved = _solve_generating_arcs(
            grid, metric, lam, partial(_solve_barycenter_lp, nus=nus, lam=lam, tol=tol, bound=bary_bound)
        )
        if tol != IPM_TOL_FAST:
            solved.info["retried_tolerance"] = tol
        assert solved.sol.mu is not None
        mu = np.maximum(solved.sol.mu, 0.0)
        mu /= mu.sum()
        tree = _Tree(grid, solved.arcs)
        length = solved.arcs.length
        costs = np.array(
            [float(length @ _feasible_flow(solved.D, solved.arcs, tree, f, mu - nu))
             for f, nu in zip(solved.sol.flows, nus, strict=True)]
        )
        pots = [
            lipschitz_envelope(y, grid.points, metric, float(lk), grid=grid)
            for y, lk in zip(solved.sol.duals, lam, strict=True)
        ]
        lower = barycenter_lower_bound(pots, pots, nus)
        if _gap_ok(float(lam @ costs), lower, grid, metric) or solved.sol.ipm.status != "optimal":
            break
    return mu, costs, pots, solved.info


def _uncertified_inputs(grid: Grid, metric: str, mu: Vector, nus: Sequence[Vector], lam: Vector,
                        costs: Vector, pots: Sequence[Vector]) -> list[int]:
    """Inputs whose own cost ``costs[k]`` is not certified by ``g_k / lam_k``.

    ``g_k / lam_k`` is 1-Lipschitz, so ``W1(mu, nu_k) >= <g_k, mu - nu_k> / lam_k``; the LP
    only controls ``lam_k cost_k`` though, and for small (or zero) ``lam_k`` that bound can
    be loose. Those inputs get their own certified W1 solve.
    """
    out = []
    for k, (nu, lk) in enumerate(zip(nus, lam, strict=True)):
        # shift g_k first: a constant times the rounding of sum(mu - nu), divided by a tiny
        # lam_k, would swamp the bound
        lower = float((pots[k] - pots[k][0]) @ (mu - nu)) / lk if lk > 0 else -np.inf
        if costs[k] - lower > GAP_RTOL_IPM * max(costs[k], GAP_FLOOR * grid.diameter(metric)):
            out.append(k)
    return out


def barycenter_grid(
    measures: list[Measure], lam: NDArray[np.float64], metric: str, grid: Grid
) -> BarycenterResult:
    r"""Exact W1 barycenter supported on the nodes of ``grid``, certified.

    .. math::

        \min_{\mu \in \Delta(\text{grid})} \sum_k \lambda_k W_1(\mu, \nu_k)
        = \min \sum_k \lambda_k \ell \cdot f_k \;\; \text{s.t.} \;\;
          D f_k - \mu = -\nu_k,\; f_k \ge 0,\; \mu \ge 0

    (one LP for all inputs, solved by the interior-point method, see the module
    docstring). The dual gives ``lambda_k``-Lipschitz ``g_k`` and the lower bound
    ``min_i sum_k g_k(i) - sum_k <g_k, nu_k>``; ``.cost = sum_k lambda_k .costs[k]`` with
    ``.costs[k]`` the length of an exactly feasible flow from the barycenter to ``nu_k``.
    Inputs with ``lambda_k = 0`` do not enter the LP (their ``g_k`` is the constant 0).
    Each ``.costs[k]`` is certified on its own by ``<g_k, mu - nu_k> / lambda_k``; where
    that bound is not tight enough (zero or tiny ``lambda_k``), ``W1(mu, nu_k)`` is solved
    separately by :func:`w1_grid`'s solver. Should that solve fail its own certificate,
    ``.costs[k]`` stays the length of the LP's flow (an upper bound on ``W1(mu, nu_k)``)
    and ``k`` is listed in ``info["costs_not_certified"]``; ``.cost`` and
    ``.lower_bound`` are certified in every case.

    Parameters
    ----------
    measures : list of Measure
        Histograms on ``grid``.
    lam : ndarray
        Weights (non-negative, summing to one).
    metric : {"cityblock", "chebyshev", "euclidean"}
    grid : Grid

    Returns
    -------
    BarycenterResult
        ``method="exact"``, ``info["support"] = "grid"``, ``info`` also holds ``solver``
        (``"ipm"``, ``"simplex"`` or ``"colgen"``), ``iterations`` (interior point or
        simplex), ``rounds``, ``n_arcs``, ``time``, and ``retried_tolerance`` when the
        interior point method had to be run again to the strict tolerance.

    Raises
    ------
    NotOptimalError
        The certified gap exceeds ``GAP_RTOL_IPM * max(cost, GAP_FLOOR * diameter)``.
    """
    t0 = time.perf_counter()
    metric = check_metric(metric)
    lam = np.asarray(lam, dtype=float)
    nus = [np.asarray(m.weights, dtype=float) for m in measures]
    active = np.flatnonzero(lam > 0)
    costs = np.zeros(len(nus))
    pots = [np.zeros(grid.size) for _ in nus]
    if grid.size == 1:
        mu = np.ones(1)
        info = {"solver": "trivial", "iterations": 0, "rounds": 0, "n_arcs": 0, "costs_not_certified": []}
    else:
        mu, act_costs, act_pots, info = _barycenter_core(grid, metric, [nus[k] for k in active], lam[active])
        costs[active] = act_costs
        for j, g in zip(active.tolist(), act_pots, strict=True):
            pots[j] = g
        loose = []
        for j in _uncertified_inputs(grid, metric, mu, nus, lam, costs, pots):
            try:
                costs[j] = _w1_core(grid, metric, mu, nus[j]).cost
            except NotOptimalError:  # keep the LP's flow: an upper bound on W1(mu, nu_j)
                loose.append(j)
        info["costs_not_certified"] = loose
    cost = float(lam @ costs)
    lower = barycenter_lower_bound(pots, pots, nus)
    info.update({"support": "grid", "time": time.perf_counter() - t0})
    _check_gap(cost, lower, grid, metric, "barycenter_grid", info)
    potentials = [
        Potential(grid.points, g, metric, lipschitz=float(lk), grid=grid)
        for g, lk in zip(pots, lam, strict=True)
    ]
    return BarycenterResult(
        measure=Measure.on_grid(grid, mu, normalize=True),
        cost=cost,
        lower_bound=lower,
        weights=lam,
        method="exact",
        metric=metric,
        costs=costs,
        potentials=potentials,
        status="optimal",
        info=info,
    )



# --------------------------------------------------------------------------- fixed arc sets


#: Offset radius of :class:`FlowGraph` for the euclidean metric: ``|o_a| <= 2`` (16
#: directions in 2D) makes the path metric over-estimate distances by at most
#: ``1 / cos(theta / 2) - 1 = 2.7%`` (``theta`` = 26.6 degrees, the largest angle between
#: neighbouring directions, docs/theory.md fact 2).
FLOW_GRAPH_RADIUS = 2
#: Interior-point tolerance of :class:`FlowGraph`: its answers are made exactly feasible
#: (upper bounds) and exactly Lipschitz (lower bounds) afterwards, so a loose solve only
#: costs a little tightness.
FLOW_GRAPH_TOL = 1e-8


class FlowGraph:
    r"""Min-cost flows on a fixed neighbour graph of a grid: fast *bounds* for any metric.

    The graph joins every node to its translates by the offsets of
    :func:`~otbary.arcs.neighbour_offsets` (radius :data:`FLOW_GRAPH_RADIUS` for the
    euclidean metric), each arc as long as the metric distance between its ends. Its path
    metric ``d_G`` is at least the metric ``d`` (triangle inequality) and equals it for
    cityblock, and for chebyshev with uniform spacing. Hence, for histograms ``a, b`` on
    the grid,

    .. math:: W_1^{d}(a, b) \le \min_{f \ge 0,\ D f = a - b} \ell \cdot f = W_1^{d_G}(a, b),

    and the duals of these LPs, made exactly Lipschitz for ``d`` by
    :func:`~otbary.potentials.lipschitz_envelope`, are certificates in ``d`` (lower bounds).
    :meth:`w1_potential` and :meth:`barycenter` return them; they are not certified optimal for
    ``d`` (use :func:`w1_grid` and :func:`barycenter_grid` for that), only valid.

    Parameters
    ----------
    grid : Grid
    metric : {"cityblock", "chebyshev", "euclidean"}
    radius : int, optional
        Offset radius for the euclidean metric (default :data:`FLOW_GRAPH_RADIUS`).
    """

    def __init__(self, grid: Grid, metric: str, radius: Optional[int] = None) -> None:
        self.grid = grid
        self.metric = check_metric(metric)
        self.exact = _exact_arcs(grid, self.metric)
        self.radius = 1 if self.exact else int(FLOW_GRAPH_RADIUS if radius is None else radius)
        self.arcs = offset_arcs(grid, neighbour_offsets(grid.ndim, self.metric, self.radius), self.metric)
        self.D = _incidence(grid.size, self.arcs)

    def _envelope(self, y: Vector, lipschitz: float) -> Vector:
        return lipschitz_envelope(y, self.grid.points, self.metric, lipschitz, grid=self.grid)

    def w1_potential(self, a: ArrayLike, b: ArrayLike) -> Vector:
        r"""A potential ``f`` on the nodes, exactly 1-Lipschitz for ``d``: ``<f, a - b> <= W1(a, b)``.

        The dual of the flow LP on the graph (optimal for ``d_G``, nearly so for ``d``).
        Histograms of equal total mass.
        """
        supply = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
        if self.grid.size == 1:
            return np.zeros(1)
        sol = _solve_w1_lp(self.D, self.arcs.length, supply, tol=FLOW_GRAPH_TOL)
        return self._envelope(sol.duals[0], 1.0)

    def barycenter(self, hists: Sequence[ArrayLike], lam: ArrayLike) -> tuple[Vector, list[Vector]]:
        r"""A barycenter ``mu`` on the nodes for the path metric, and ``lam_k``-Lipschitz ``g_k``.

        ``mu`` minimises ``sum_k lam_k W1^{d_G}(mu, nu_k)`` over the nodes (to the solver
        tolerance); the ``g_k`` are exactly ``lam_k``-Lipschitz for ``d`` on the nodes, so
        ``min_i sum_k g_k(i) - sum_k <g_k, nu_k>`` bounds the optimum over the nodes from
        below (docs/theory.md fact 3). Inputs with ``lam_k = 0`` get ``g_k = 0``.
        """
        lam_v = np.asarray(lam, dtype=float)
        nus = [np.asarray(h, dtype=float) for h in hists]
        active = np.flatnonzero(lam_v > 0)
        pots = [np.zeros(self.grid.size) for _ in nus]
        if self.grid.size == 1:
            return np.ones(1), pots
        sol = _solve_barycenter_lp(self.D, self.arcs.length, [nus[k] for k in active], lam_v[active],
                                   tol=FLOW_GRAPH_TOL)
        assert sol.mu is not None
        mu = np.maximum(sol.mu, 0.0)
        mu /= mu.sum()
        for j, y in zip(active.tolist(), sol.duals, strict=True):
            pots[j] = self._envelope(y, float(lam_v[j]))
        return mu, pots
