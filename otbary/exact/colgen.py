"""Column generation for grid flow LPs whose neighbour graph is not exact (euclidean).

The flow LPs of :mod:`otbary.exact.grid` (W1 and the fixed-support barycenter) are exact
for a metric ``d`` when every pair ``(i, j)`` of grid nodes may carry flow on an arc of
length ``d(i, j)`` (theory fact 2). Rather than whole directions (every translate of an
offset), this module adds single arcs ``i -> j`` of one block ``k``, priced by the row
duals ``y_k``::

    reduced cost of (k, i -> j) = lam_k d(i, j) - (y_k(i) - y_k(j)),

starting from the arcs of the primitive offsets of radius :data:`START_RADIUS` (which
contain the axis-parallel unit steps, so every flow can be repaired along a spanning
tree). Each round adds, for every node ``i`` and block ``k``, the :data:`PER_NODE` most
violated pairs ``(i, j)`` and re-optimises with HiGHS's primal simplex from the previous
basis (adding columns keeps the basis primal feasible: classic column generation), or
from scratch like the first solve when the round added more than :data:`REFRESH_FRACTION`
of the columns already there on a grid of over :data:`REFRESH_ABOVE` nodes (faster then).
A fresh re-solve is preceded by deleting the columns (local arcs included) whose reduced
cost exceeds :data:`DROP_FRACTION` of the cheapest arc's cost: they are non-basic at zero,
so the last optimum stays feasible and the objective never rises, and pricing runs over
*all* pairs, so any of them the duals come to violate is added back. Re-solving from
scratch is what makes the LP's size matter (an interior-point method), and priced-out
columns were then most of it (at 64x64, K = 3: 84k of 186k, and the re-solve 4x faster).
It stops when no pair is violated by more than ``PRICE_RTOL * lam_k * diameter``; the
duals are then (almost) ``lam_k``-Lipschitz on *all* pairs and the caller certifies the
answer exactly (:func:`~otbary.potentials.lipschitz_envelope` and primal repair).

The first solve of a level is HiGHS's interior point method with crossover (a basis to
warm-start from). Grids of more than :data:`COARSE_ABOVE` nodes are solved coarse-to-fine
(:func:`solve_colgen`): the coarse answer's arcs that carry flow seed the fine LP's
columns, together with the pairs that the coarse duals, interpolated, price as violated;
of these and of the local arcs, only the axis steps (which keep the LP feasible) and the
arcs whose reduced cost under the interpolated duals is at most :data:`SEED_KEEP_FRACTION`
of the cheapest arc's cost are kept.
The LP is scaled (``max |rhs| = 1``, costs at most 1) so that HiGHS's absolute
tolerances act as relative ones.

The LP, with blocks ``k = 1..K`` and ``rhs_k`` the block's right-hand side::

    min sum_k lam_k sum_e len_e f_{k,e}  s.t.  D_k f_k - [mu] = rhs_k,  f_k >= 0, mu >= 0,

``mu`` (shared by the blocks) only in the barycenter LP; the row of node 0 is dropped in
every block but the first of the barycenter LP, and in the single block of the W1 LP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np
from numpy.typing import NDArray

from ..arcs import ArcSet, offset_arcs, primitive_offsets
from ..errors import NotOptimalError
from ..geometry import Grid, norm, pairwise_distances
from .highs import new_highs

__all__ = ["ColgenSolution", "pair_lengths", "solve_colgen", "solve_colgen_once"]

Vector = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Offsets of the initial arcs: primitive offsets with ``max |o_a| <= START_RADIUS``.
START_RADIUS = 1
#: New arcs per node and block per round (the most violated ones).
PER_NODE = 8
#: A pair is violated when ``y_k(i) - y_k(j) - lam_k d(i, j) > PRICE_RTOL * lam_k * diam``.
PRICE_RTOL = 1e-9
#: Round limit.
MAX_ROUNDS = 200
#: HiGHS ``simplex_strategy`` of the first solve (1: dual, 4: primal); later rounds use the
#: primal simplex from the previous basis.
FIRST_STRATEGY = 1
#: HiGHS ``solver`` of the first solve ("simplex" or "ipm", the latter with crossover).
FIRST_SOLVER = "ipm"
LATER_SOLVER = "simplex"
#: HiGHS ``simplex_strategy`` of the later rounds (4: primal, from the previous basis).
LATER_STRATEGY = 4
#: A round that added more than this fraction of the columns already there is re-solved
#: from scratch (``FIRST_SOLVER``) rather than from the previous basis.
REFRESH_FRACTION = 0.02
#: ... on levels with more nodes than this only (on small ones the simplex is always faster).
REFRESH_ABOVE = 2000
#: HiGHS primal and dual feasibility tolerances.
HIGHS_TOL = 1e-10
#: Grids with more nodes are solved coarse-to-fine (see :func:`solve_colgen`).
COARSE_ABOVE = 300
#: The fine level is also seeded with, for every node and block, the ``SEED_PER_NODE`` pairs
#: most violated by the coarse duals (multilinearly interpolated to the fine nodes); 0: off.
SEED_PER_NODE = 8
#: Before a fresh solve, added columns whose reduced cost exceeds ``DROP_FRACTION`` times the
#: cheapest arc's cost are deleted (they are non-basic at the optimum, so it stays feasible, and
#: pricing brings back any that the duals come to violate); 0: never.
DROP_FRACTION = 0.1
#: With coarse duals interpolated to the fine grid, the fine level starts with the axis steps
#: and only those seeded and local arcs whose guessed reduced cost is at most
#: ``SEED_KEEP_FRACTION`` times the cheapest arc's cost; 0: all of them.
SEED_KEEP_FRACTION = 1.0
_CHUNK = 512


@dataclass
class ColgenSolution:
    """Raw (uncertified) optimum of the restricted LP at the last round.

    Attributes
    ----------
    local : ArcSet
        The initial arcs (shared by the blocks).
    pair_tail, pair_head : list of ndarray
        Added arcs of each block.
    flows_local, flows_pair : list of ndarray
        Flows of each block on the local and on the added arcs.
    duals : list of ndarray
        Row duals ``y_k`` (0 on dropped rows).
    mu : ndarray or None
        The barycenter column values (barycenter LP).
    info : dict
        ``rounds``, ``iterations`` (simplex), ``n_arcs``, ``time``.
    """

    local: ArcSet
    pair_tail: list[IntArray]
    pair_head: list[IntArray]
    flows_local: list[Vector]
    flows_pair: list[Vector]
    duals: list[Vector]
    mu: Optional[Vector]
    info: dict[str, Any] = field(default_factory=dict)


class _Model:
    """The restricted LP in a ``highspy.Highs`` object, with the column bookkeeping."""

    def __init__(self, grid: Grid, rhs: Sequence[Vector], lam: Vector, with_mu: bool) -> None:
        import highspy

        self.hs = highspy
        self.n = grid.size
        self.k = len(rhs)
        n, k = self.n, self.k
        keep = np.ones(k * n, dtype=bool)
        if with_mu:
            keep[n::n] = False
        else:
            keep[0::n] = False
        self.rowmap = np.full(k * n, -1, dtype=np.int64)
        self.rowmap[keep] = np.arange(int(keep.sum()))
        self.keep = keep
        h = new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("primal_feasibility_tolerance", HIGHS_TOL)
        h.setOptionValue("dual_feasibility_tolerance", HIGHS_TOL)
        b = np.concatenate(rhs)[keep]
        h.addRows(b.size, b, b, 0, np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        self.h = h
        self.lam = lam
        self.n_mu = 0
        if with_mu:
            rows = self.rowmap.reshape(k, n).T  # (node, block)
            ok = rows >= 0
            starts = np.concatenate([[0], np.cumsum(ok.sum(axis=1))[:-1]]).astype(np.int32)
            idx = rows[ok].astype(np.int32)
            h.addCols(n, np.zeros(n), np.zeros(n), np.full(n, highspy.kHighsInf), idx.size, starts, idx,
                      -np.ones(idx.size))
            self.n_mu = n
        # the arc columns, in HiGHS's order after the ``n_mu`` columns of mu
        self.arc_block = np.zeros(0, dtype=np.intp)
        self.arc_tail = np.zeros(0, dtype=np.intp)
        self.arc_head = np.zeros(0, dtype=np.intp)
        self.arc_index = np.zeros(0, dtype=np.intp)  # position in the local arc set, -1: an added pair

    def add_arcs(self, block: int, tail: IntArray, head: IntArray, length: Vector,
                 local_index: Optional[IntArray] = None) -> None:
        """Columns of arcs ``tail -> head`` in ``block`` (``+1`` at the tail, ``-1`` at the head);
        ``local_index``: their positions in the local arc set, if they are local arcs."""
        if tail.size == 0:
            return
        base = block * self.n
        idx = np.stack([self.rowmap[base + tail], self.rowmap[base + head]], axis=1)
        val = np.broadcast_to(np.array([1.0, -1.0]), idx.shape)
        ok = idx >= 0
        starts = np.concatenate([[0], np.cumsum(ok.sum(axis=1))[:-1]]).astype(np.int32)
        self.h.addCols(tail.size, self.lam[block] * length, np.zeros(tail.size),
                       np.full(tail.size, self.hs.kHighsInf), int(ok.sum()), starts,
                       idx[ok].astype(np.int32), np.ascontiguousarray(val[ok]))
        self.arc_block = np.concatenate([self.arc_block, np.full(tail.size, block, dtype=np.intp)])
        self.arc_tail = np.concatenate([self.arc_tail, tail.astype(np.intp)])
        self.arc_head = np.concatenate([self.arc_head, head.astype(np.intp)])
        self.arc_index = np.concatenate([self.arc_index, np.full(tail.size, -1, dtype=np.intp)
                                         if local_index is None else local_index.astype(np.intp)])

    def drop(self, reduced_cost: Vector, threshold: float) -> int:
        """Delete the arc columns whose reduced cost exceeds ``threshold`` (local ones too).

        At an optimum they are non-basic at zero, so the optimum stays feasible (and, with
        the basis, optimal); pricing adds them back, as pairs, if the duals come to violate them.
        """
        gone = reduced_cost[self.n_mu :] > threshold
        if not gone.any():
            return 0
        cols = (self.n_mu + np.flatnonzero(gone)).astype(np.int32)
        self.h.deleteCols(cols.size, cols)
        keep = ~gone
        self.arc_block, self.arc_tail = self.arc_block[keep], self.arc_tail[keep]
        self.arc_head, self.arc_index = self.arc_head[keep], self.arc_index[keep]
        return int(cols.size)

    def run(self, what: str, solver: str, strategy: int) -> tuple[Vector, Vector, Vector, int]:
        """Optimise (HiGHS ``solver``, ``simplex_strategy``);
        ``(x, full row duals, reduced costs, simplex iterations)``."""
        self.h.setOptionValue("solver", solver)
        self.h.setOptionValue("simplex_strategy", strategy)
        self.h.run()
        status = self.h.getModelStatus()
        if status != self.hs.HighsModelStatus.kOptimal:
            raise NotOptimalError(f"{what}: HiGHS stopped with status {self.h.modelStatusToString(status)}")
        sol = self.h.getSolution()
        y = np.zeros(self.k * self.n)
        y[self.keep] = np.asarray(sol.row_dual, dtype=float)
        return (np.asarray(sol.col_value, dtype=float), y, np.asarray(sol.col_dual, dtype=float),
                int(self.h.getInfo().simplex_iteration_count))


def _violated(points: NDArray[np.float64], metric: str, y: Vector, weight: float, tol: float,
              per_node: int) -> tuple[IntArray, IntArray, float]:
    """Pairs ``(i, j)`` with ``y(i) - y(j) - weight d(i, j) > tol``: the worst ``per_node`` per ``i``."""
    n = points.shape[0]
    tails, heads = [], []
    worst = -np.inf
    top = min(per_node, n - 1)
    for s in range(0, n, _CHUNK):
        d = pairwise_distances(points[s : s + _CHUNK], points, metric)
        v = (y[s : s + _CHUNK, None] - y[None, :]) - weight * d
        worst = max(worst, float(v.max()))
        if worst <= tol:
            continue
        j = np.argpartition(-v, top - 1, axis=1)[:, :top]
        w = np.take_along_axis(v, j, axis=1)
        bad = w > tol
        rows = np.broadcast_to(np.arange(s, s + v.shape[0])[:, None], j.shape)
        tails.append(rows[bad])
        heads.append(j[bad])
    if not tails:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, worst
    return np.concatenate(tails).astype(np.intp), np.concatenate(heads).astype(np.intp), worst


def _tight(y: Optional[Vector], lam: float, tail: IntArray, head: IntArray, length: Vector,
           limit: float) -> NDArray[np.bool_]:
    """The arcs whose reduced cost ``lam len - (y(tail) - y(head))`` under the duals ``y`` is at
    most ``limit`` (all of them when ``y`` is None)."""
    if y is None:
        return np.ones(tail.size, dtype=bool)
    return np.asarray(lam * length - (y[tail] - y[head]) <= limit)


def _offsets(grid: Grid, tail: IntArray, head: IntArray) -> IntArray:
    """Multi-index offsets ``p_head - p_tail`` of arcs, shape ``(m, d)``."""
    return np.asarray(np.stack(np.unravel_index(head, grid.shape), axis=1)
                      - np.stack(np.unravel_index(tail, grid.shape), axis=1))


def _axis_steps(grid: Grid, arcs: ArcSet) -> NDArray[np.bool_]:
    """Which arcs are unit steps along one axis (they connect the grid: the LP stays feasible)."""
    return np.asarray(np.abs(_offsets(grid, arcs.tail, arcs.head)).sum(axis=1) == 1)


def pair_lengths(grid: Grid, metric: str, tail: IntArray, head: IntArray) -> Vector:
    """``||(p_head - p_tail) * spacing||`` from the multi-indices (as :func:`offset_arcs` does)."""
    off = _offsets(grid, tail, head)
    return np.asarray(norm(off * np.asarray(grid.spacing), metric), dtype=float)


def _coarse(grid: Grid) -> tuple[Grid, IntArray]:
    """The grid of every other node (spacing doubled) and each fine node's coarse parent."""
    shape = tuple((n + 1) // 2 for n in grid.shape)
    coarse = Grid(shape, spacing=[2 * h for h in grid.spacing], origin=list(grid.origin))
    multi = np.unravel_index(np.arange(grid.size), grid.shape)
    parent = np.ravel_multi_index(tuple(m // 2 for m in multi), shape)
    return coarse, np.asarray(parent, dtype=np.intp)


def _seed(grid: Grid, coarse: Grid, parent: IntArray, sol: ColgenSolution) -> list[tuple[IntArray, IntArray]]:
    """Fine arcs ``children(I) x children(J)`` of the coarse added arcs ``I -> J`` that carry flow."""
    order = np.argsort(parent, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(parent, minlength=coarse.size))])
    width = int(np.max(np.diff(starts)))
    children = np.full((coarse.size, width), -1, dtype=np.intp)
    for c in range(width):
        has = starts[:-1] + c < starts[1:]
        children[has, c] = order[starts[:-1][has] + c]
    out = []
    for t, h, f in zip(sol.pair_tail, sol.pair_head, sol.flows_pair, strict=True):
        used = f > 0
        ct, chd = children[t[used]], children[h[used]]
        ft = np.repeat(ct, width, axis=1).ravel()
        fh = np.tile(chd, (1, width)).ravel()
        ok = (ft >= 0) & (fh >= 0)
        out.append((ft[ok], fh[ok]))
    return out


def _interpolated_duals(grid: Grid, coarse: Grid, csol: ColgenSolution) -> list[Vector]:
    """The coarse duals ``Y_k`` (on the coarse nodes, which are the even fine nodes), extended
    multilinearly to every fine node (linearly extrapolated past the last coarse node)."""
    from scipy.interpolate import RegularGridInterpolator

    axes = [float(o) + np.arange(m) * float(h)
            for o, m, h in zip(coarse.origin, coarse.shape, coarse.spacing, strict=True)]
    pts = grid.points
    return [np.asarray(RegularGridInterpolator(axes, np.asarray(y).reshape(coarse.shape), bounds_error=False,
                                               fill_value=None)(pts), dtype=float) for y in csol.duals]


def _seed_priced(grid: Grid, metric: str, guess: Sequence[Vector], lam: Vector, diameter: float,
                 seed: list[tuple[IntArray, IntArray]]) -> list[tuple[IntArray, IntArray]]:
    """``seed`` plus the fine pairs most violated by the interpolated coarse duals ``guess``.

    The :data:`SEED_PER_NODE` pairs ``(i, j)`` per fine node ``i`` with the largest
    ``Y_k(i) - Y_k(j) - lam_k d(i, j) > PRICE_RTOL lam_k diameter`` are added: a guess of
    the arcs the fine optimum needs, so that the first fine LP is close to it.
    """
    pts = grid.points
    out = []
    for (t0, h0), y, lk in zip(seed, guess, lam, strict=True):
        t, h, _ = _violated(pts, metric, y, float(lk), PRICE_RTOL * float(lk) * diameter, SEED_PER_NODE)
        out.append((np.concatenate([t0, t]), np.concatenate([h0, h])))
    return out


def solve_colgen(grid: Grid, metric: str, rhs: Sequence[Vector], lam: Vector, with_mu: bool,
                 diameter: float, what: str, verbose: bool = False) -> ColgenSolution:
    """:func:`solve_colgen_once`, seeded coarse-to-fine when the grid has over :data:`COARSE_ABOVE` nodes.

    The problem is first solved on the grid of every other node (inputs summed over each
    coarse node's children); the fine LP then starts with, besides the local arcs, every
    arc between the children of the ends of a coarse added arc that carries flow, and the
    pairs most violated by the coarse duals interpolated to the fine grid
    (:func:`_seed_priced`). The seed only picks the starting columns: the fine answer is
    priced to optimality as usual.
    """
    if grid.size <= COARSE_ABOVE or min(grid.shape) < 4:
        return solve_colgen_once(grid, metric, rhs, lam, with_mu, diameter, what, verbose)
    t0 = time.perf_counter()
    coarse, parent = _coarse(grid)
    crhs = [np.bincount(parent, weights=r, minlength=coarse.size).astype(float) for r in rhs]
    csol = solve_colgen(coarse, metric, crhs, lam, with_mu, diameter, what, verbose)
    seed = _seed(grid, coarse, parent, csol)
    guess = _interpolated_duals(grid, coarse, csol)
    if SEED_PER_NODE > 0:
        seed = _seed_priced(grid, metric, guess, lam, diameter, seed)
    sol = solve_colgen_once(grid, metric, rhs, lam, with_mu, diameter, what, verbose, seed,
                            guess if SEED_KEEP_FRACTION > 0 else None)
    sol.info["coarse_rounds"] = csol.info["rounds"] + csol.info.get("coarse_rounds", 0)
    sol.info["time"] = time.perf_counter() - t0
    return sol


def solve_colgen_once(grid: Grid, metric: str, rhs: Sequence[Vector], lam: Vector, with_mu: bool,
                      diameter: float, what: str, verbose: bool = False,
                      seed: Optional[Sequence[tuple[IntArray, IntArray]]] = None,
                      guess: Optional[Sequence[Vector]] = None) -> ColgenSolution:
    """Solve the flow LP of the module docstring by column generation over node pairs.

    Parameters
    ----------
    grid : Grid
    metric : str
        Any metric of :func:`~otbary.geometry.pairwise_distances` (arc length = distance).
    rhs : sequence of ndarray
        Right-hand side of each block: ``-nu_k`` (barycenter) or ``a - b`` (W1).
    lam : ndarray
        Block weights (objective ``lam_k len.f_k``), positive.
    with_mu : bool
        Barycenter LP (shared ``mu`` column per node) or not.
    diameter : float
        The grid's diameter in the metric (scale of the pricing tolerance).
    what : str
        Name for error messages.
    verbose : bool
        Print one line per round.
    seed : sequence of (tail, head), optional
        Arcs of each block to start with, besides the local ones.

    Returns
    -------
    ColgenSolution

    Raises
    ------
    NotOptimalError
        HiGHS fails, or pairs are still violated after :data:`MAX_ROUNDS` rounds.
    """
    t0 = time.perf_counter()
    # scaled LP (max |rhs| = 1, costs at most 1), so that HiGHS's absolute tolerances are
    # relative ones: x = bscale x_s, y = cscale y_s
    bscale = max(max(float(np.max(np.abs(r), initial=0.0)) for r in rhs), 1e-300)
    cscale = max(float(np.max(lam)) * diameter, 1e-300)
    lam = np.asarray(lam, dtype=float) / cscale
    model = _Model(grid, [np.asarray(r, dtype=float) / bscale for r in rhs], lam, with_mu)
    local = offset_arcs(grid, primitive_offsets(grid.ndim, START_RADIUS), metric)
    axis = _axis_steps(grid, local)
    shortest = float(np.min(local.length))
    for k in range(len(rhs)):
        # the initial columns; with dual guesses (unscaled), only the axis steps and the arcs
        # whose guessed reduced cost is at most SEED_KEEP_FRACTION times the block's cheapest arc
        lk = float(lam[k])
        yk = None if guess is None else guess[k] / cscale
        limit = SEED_KEEP_FRACTION * lk * shortest
        keep_local = axis | _tight(yk, lk, local.tail, local.head, local.length, limit)
        model.add_arcs(k, local.tail[keep_local], local.head[keep_local], local.length[keep_local],
                       local_index=np.flatnonzero(keep_local))
        if seed is not None:
            t, h = seed[k]
            t, h = t[t != h], h[t != h]
            length = pair_lengths(grid, metric, t, h)
            keep = _tight(yk, lk, t, h, length, limit)
            model.add_arcs(k, t[keep], h[keep], length[keep])
    # a tenth of the cheapest arc's (scaled) cost: columns priced out by more are dropped
    # before a fresh solve
    drop_above = DROP_FRACTION * float(np.min(lam)) * shortest
    pts = grid.points
    iterations, rounds, dropped = 0, 0, 0
    fresh = True
    while True:
        rounds += 1
        t_round = time.perf_counter()
        # a first solve, or one after many new columns, from scratch; otherwise from the basis
        x, y, rc, its = model.run(what, FIRST_SOLVER if fresh else LATER_SOLVER,
                                  FIRST_STRATEGY if fresh else LATER_STRATEGY)
        iterations += its
        if verbose:
            print(f"round {rounds} ({'fresh' if fresh else 'warm'}, {int(model.h.getNumCol())} columns): "
                  f"{its} simplex iterations in {time.perf_counter() - t_round:.2f} s, "
                  f"objective {model.h.getInfo().objective_function_value:.12f}", flush=True)
        if not fresh and its == 0:
            break  # the new columns were priced out at HiGHS's tolerance: nothing left to gain
        new = [_violated(pts, metric, y[k * grid.size : (k + 1) * grid.size], float(lk),
                         PRICE_RTOL * float(lk) * diameter, PER_NODE)[:2] for k, lk in enumerate(lam)]
        added = sum(t.size for t, _ in new)
        if added == 0:
            break
        if rounds >= MAX_ROUNDS:
            raise NotOptimalError(f"{what}: column generation still adds arcs after {rounds} rounds")
        fresh = grid.size > REFRESH_ABOVE and added > REFRESH_FRACTION * int(model.h.getNumCol())
        if fresh and DROP_FRACTION > 0:
            dropped += model.drop(rc, drop_above)
        for k, (t, h) in enumerate(new):
            model.add_arcs(k, t, h, pair_lengths(grid, metric, t, h))
    x, y = x * bscale, y * cscale
    arcs = x[model.n_mu :]
    flows_local, flows_pair, tails, heads = [], [], [], []
    for k in range(len(rhs)):
        mine = model.arc_block == k
        is_local = mine & (model.arc_index >= 0)
        fl = np.zeros(local.size)
        fl[model.arc_index[is_local]] = arcs[is_local]
        flows_local.append(fl)
        pair = mine & (model.arc_index < 0)
        flows_pair.append(arcs[pair])
        tails.append(model.arc_tail[pair])
        heads.append(model.arc_head[pair])
    duals = [y[k * grid.size : (k + 1) * grid.size] for k in range(len(rhs))]
    info = {"rounds": rounds, "iterations": iterations, "n_arcs": int(model.h.getNumCol()) - model.n_mu,
            "dropped": dropped,
            "time": time.perf_counter() - t0}
    return ColgenSolution(local, tails, heads, flows_local, flows_pair, duals,
                          x[: model.n_mu] if with_mu else None, info)
