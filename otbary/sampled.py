r"""Two-sided confidence bounds on the barycenter gap of *sampled* distributions.

When the candidate or some input is only known through a sampler, the gap
``J(c) - J*`` of the continuous distributions (``J(mu) = sum_k lambda_k W1(mu, nu_k)``) is
bracketed by four estimates, each the mean of repeat-wise values whose expectation is on the
right side of its target (docs/theory.md, facts 11-13):

* ``U_c >= J(c)`` -- primal: the cost of a bijection between fresh draws of the candidate and
  of each input (:func:`coupling_cost`), a coupling of their empirical measures, whose
  expected cost is at least ``W1`` (W1 is jointly convex). No draw is moved to a node.
* ``L_c <= J(c)`` -- dual: 1-Lipschitz potentials fitted on separate draws (the candidate's
  ``fit`` draws against the inputs' reference draws, flows on a grid), evaluated by their
  McShane extension on fresh draws: an unbiased estimate of a valid lower bound.
* ``U* >= J*`` -- ``J(mu~)`` for the barycenter of the quantised reference draws on the grid,
  spread uniformly over each node's cell, bounded as ``U_c`` with fresh input draws.
* ``L* <= J*`` -- the Kantorovich-Rubinstein bound of the barycenter problem,
  ``inf_x sum_k g_k(x) - sum_k E_{nu_k} g_k``, with ``g_k`` the reference solve's
  ``lambda_k``-Lipschitz potentials extended by McShane; the infimum over the whole space is
  bounded on sub-cells by tangent planes (:func:`_infimum`), the expectations are sample means
  of fresh draws.

Since ``J* <= J(c)`` as well, ``U*`` is ``U_c`` itself when pilot draws (independent of the
repeats, so the choice costs no confidence) say that the candidate is at least as good as
``mu~``: a right candidate is compared with itself, and its interval does not carry the
reference's resolution twice. Then ``gap_upper`` is the upper Student-t bound of
``mean_r (U_c - L*)`` and ``gap_lower`` the lower one of ``mean_r (L_c - U*)``, each at level
``1 - alpha / 2``: both hold at once with probability at least ``confidence = 1 - alpha``
(union bound).

Potential means are computed from the histogram (the value at each draw's node, all draws)
plus the mean correction ``f(x) - f(node(x))`` over a subsample (:data:`N_CORRECTION` draws):
both unbiased, and the correction is small (at most the cell's radius), so few draws suffice.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exact.grid import FlowGraph
from .geometry import Grid, norm, pairwise_distances
from .measures import Measure
from .potentials import lipschitz_envelope, mcshane_extension

__all__ = [
    "DEFAULT_N_DRAWS",
    "DEFAULT_REPEATS",
    "DEFAULT_SIDE",
    "N_CORRECTION",
    "REFINE",
    "SampledReference",
    "SampledBounds",
    "draw",
    "gap_bounds",
    "sample_measure",
    "sampled_reference",
    "t_interval",
]

Vector = NDArray[np.float64]
#: A sampler: ``sampler(n, rng)`` returns an ``(n, d)`` array of ``n`` independent draws.
Sampler = Callable[[int, np.random.Generator], ArrayLike]
Source = Union[Measure, Sampler]

#: Grid nodes per axis, by dimension: the resolution of the quantisation.
DEFAULT_SIDE = {1: 1024, 2: 48, 3: 10}
#: Draws of each distribution per repeat (quantised: their cost is small).
DEFAULT_N_DRAWS = 200_000
#: At least this many draws of each distribution fit the potentials and the reference (they are
#: quantised, so their cost is small; fewer would only loosen the bounds).
N_FIT = 200_000
#: Repeats: each gives one value of every bound; the Student-t intervals use their spread.
DEFAULT_REPEATS = 8
#: Draws per distribution whose potential values are computed exactly (McShane extension);
#: the others use their node's value, corrected by the subsample's mean difference.
N_CORRECTION = 2_000
#: Sub-cells per axis per grid cell on which the infimum of ``sum_k g_k`` is bounded by
#: tangent planes (euclidean and chebyshev; cityblock and 1D need none: it is at a node).
REFINE = {1: 1, 2: 2, 3: 2}
#: Rounds of halving of the sub-cells whose bound falls below the node minimum, and the most
#: boxes refined per round (:func:`_infimum`).
INFIMUM_DEPTH = 4
INFIMUM_LEAVES = 40_000
INFIMUM_SLACK = 0.04
#: Nodes per sub-cell whose cone tangents bound the infimum (the lowest cones at its centre;
#: all nodes where more than these come within ``2 lambda_k r`` of the lowest).
CANDIDATES = 128
#: Per-axis quantiles of the reference draws that set the grid's box (outliers beyond it go
#: to the boundary nodes, with their whole distance counted), by dimension: in 1D the grid is
#: fine enough to reach far into the tails; in 2D and 3D a box set by rare draws would spend
#: the nodes on them (on the translates, 2e-4 gave 13% and 2e-3 gave 8% of J*).
BOX_QUANTILE = {1: 2e-4, 2: 2e-3, 3: 2e-3}
#: Bits per axis of the Z-order pairing of draws inside their cells (:func:`coupling_cost`).
MORTON_BITS = 10
#: Sub-cells per axis of the finer levels of :func:`coupling_cost`, the least number of draws
#: of a group that they refine, and the number of finer levels.
SUB_CELLS = 4
REFINE_MIN = 16
SUB_LEVELS = 1
#: Rounds of partner exchanges that improve the bijection of :func:`coupling_cost`, by
#: dimension, and the offsets (in Z-order) of the pairs that may exchange.
SWAP_ROUNDS = {2: 3, 3: 12}
SWAP_OFFSETS = (1, 2, 3, 5, 8)
#: Draws per distribution of the pilot that chooses the upper bound on ``J*``.
PILOT_DRAWS = 50_000
#: Nodes per axis of the grid whose node plan guides the coupling of draws, by dimension.
PLAN_SIDE = {2: 32, 3: 16}


def _as_rng(seed: Union[None, int, np.random.Generator]) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def sample_measure(measure: Measure, n: int, rng: np.random.Generator) -> Vector:
    """``n`` independent draws from a discrete measure: atom ``x_i`` with probability ``w_i``.

    Returns an ``(n, d)`` array.
    """
    idx = rng.choice(measure.size, size=int(n), p=measure.weights)
    return np.asarray(measure.points[idx], dtype=float)


def draw(source: Source, n: int, rng: np.random.Generator, d: int, what: str) -> Vector:
    """``n`` independent draws of a Measure (atoms with their masses) or a sampler, checked.

    Returns an ``(n, d)`` float array; a sampler returning another shape, non-finite values or
    non-numbers raises ``ValueError``/``TypeError`` naming ``what``.
    """
    if isinstance(source, Measure):
        return sample_measure(source, n, rng)
    x = source(int(n), rng)
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must return an array of numbers; got {type(x).__name__}") from exc
    if a.ndim == 1 and d == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{what} must return a non-empty (n, {d}) array; got shape {a.shape}")
    if a.shape[1] != d:
        raise ValueError(f"{what} returned points of dimension {a.shape[1]}; the inputs have dimension {d}")
    if a.shape[0] != n:
        raise ValueError(f"{what} was asked for {n} samples and returned {a.shape[0]}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} returned NaN or infinite coordinates")
    return a


def _box_grid(samples: Sequence[Vector], side: int) -> Grid:
    pts = np.vstack(samples)
    q = BOX_QUANTILE.get(pts.shape[1], 2e-3)
    lo = np.quantile(pts, q, axis=0)
    hi = np.quantile(pts, 1.0 - q, axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    h = span / (side - 1)
    return Grid((side,) * pts.shape[1], spacing=h.tolist(), origin=lo.tolist())


@dataclass
class _Quantised:
    """Draws on the grid: the histogram and each draw's node."""

    hist: Vector
    node: NDArray[np.intp]
    points: Vector


def _quantise(grid: Grid, x: Vector) -> _Quantised:
    node = grid.nearest(x)
    hist = np.bincount(node, minlength=grid.size).astype(float) / x.shape[0]
    return _Quantised(hist, node, x)


def _potential_mean(values: Vector, q: _Quantised, grid: Grid, metric: str, lipschitz: float,
                    n_correction: int) -> float:
    """Unbiased estimate of ``E f(X)`` for the McShane extension ``f`` of ``values``.

    ``mean_i f(node(x_i))`` over all draws plus ``mean_j f(x_j) - f(node(x_j))`` over the
    first ``n_correction`` draws (the draws are i.i.d., so any fixed subset is a sample).
    """
    base = float(values @ q.hist)
    m = min(n_correction, q.points.shape[0])
    sub = q.points[:m]
    corr = mcshane_extension(values, grid.points, sub, metric, lipschitz) - values[q.node[:m]]
    return base + float(corr.mean())


def _morton(rel: Vector, bits: int = MORTON_BITS) -> NDArray[np.int64]:
    """Z-order keys of the rows of ``rel`` (points of ``[0, 1]^d``, ``d * bits <= 62``)."""
    q = np.clip((rel * (1 << bits)).astype(np.int64), 0, (1 << bits) - 1)
    d = q.shape[1]
    key = np.zeros(q.shape[0], dtype=np.int64)
    for b in range(bits):
        for a in range(d):
            key |= ((q[:, a] >> b) & 1) << (b * d + a)
    return key


def _assign(group: NDArray[np.int64], part: NDArray[np.int64], sub_group: NDArray[np.int64],
            sub_part: NDArray[np.int64], sub_other: NDArray[np.int64], sub_count: NDArray[np.int64],
            rng: np.random.Generator) -> NDArray[np.int64]:
    """Split the draws of each ``(group, part)`` at random among the sub-entries leaving it.

    Sub-entry ``e`` takes ``sub_count[e]`` draws of ``(sub_group[e], sub_part[e])``; the counts
    of each ``(group, part)`` add up to its number of draws. Returns each draw's sub-entry.
    """
    # sort by (group, part) with ties in random order: one float key, the integer pair plus a
    # uniform offset below 1/2 (exact while the pair's index stays far below 2**52)
    key = group * (int(part.max(initial=0)) + 1) + part
    order = np.argsort(key.astype(np.float64) + 0.5 * rng.random(group.size))
    by = np.lexsort((sub_other, sub_part, sub_group))
    label = np.empty(group.size, dtype=np.int64)
    label[order] = np.repeat(by, sub_count[by])
    return label


IntVector = NDArray[np.int64]


def _plan_counts(a: IntVector, b: IntVector, cost: Vector) -> tuple[IntVector, IntVector, IntVector]:
    """An optimal plan between integer histograms ``a``, ``b`` (network simplex): its entries."""
    import ot

    ia, ib = np.flatnonzero(a), np.flatnonzero(b)
    plan = ot.emd(a[ia].astype(float), b[ib].astype(float), cost[np.ix_(ia, ib)], numItermax=100_000_000)
    r, c = np.nonzero(plan > 0.5)
    count = np.rint(plan[r, c]).astype(np.int64)
    if not (np.array_equal(np.bincount(r, count, ia.size), a[ia])
            and np.array_equal(np.bincount(c, count, ib.size), b[ib])):
        raise ArithmeticError("the network simplex returned a plan with non-integral counts")
    return ia[r].astype(np.int64), ib[c].astype(np.int64), count


def _cells(x: Vector, corner: Vector, size: Vector, s: int) -> IntVector:
    """Index of the sub-cell (``s`` per axis) of each row of ``x`` in its cell ``corner + [0, size)``."""
    k = np.clip(((x - corner) / size * s).astype(np.int64), 0, s - 1)
    return np.ravel_multi_index(tuple(k.T), (s,) * x.shape[1]).astype(np.int64)


def coupling_cost(x: Vector, y: Vector, grid: Grid, metric: str, rng: np.random.Generator,
                  rounds: Optional[int] = None) -> float:
    r"""The cost ``mean_i d(x_i, y_sigma(i))`` of a bijection ``sigma`` between two equal-size samples.

    Any bijection is a coupling of the two empirical measures, so its cost is at least
    ``W1(x_hat, y_hat)``, whose expectation is at least ``W1`` of the distributions (fact 11):
    an upper bound in expectation, with no quantisation in it. The bijection is built to be
    good: on the line, sorted order (optimal). Otherwise, coarse to fine:

    1. an optimal plan between the draws' histograms on the cells of ``grid`` (network
       simplex, :func:`ot.emd`, on the occupied cells; integer counts) splits each cell's
       draws at random among the plan's destinations: groups ``(source cell, destination
       cell)``;
    2. :data:`SUB_LEVELS` times, every group of at least :data:`REFINE_MIN` draws is split the
       same way between the :data:`SUB_CELLS`\ ``^d`` sub-cells of its source and destination
       cells, with their true distances;
    3. within each final group the draws of both sides are paired in the Z-order of their
       positions in their cells (draws that stay), or in 2D in the order of their coordinate
       along the normal of the group's displacement (draws that move: pairs are nearly
       parallel to the move, and the offsets along it cancel on average);
    4. ``rounds`` (default :data:`SWAP_ROUNDS`) rounds of partner exchanges between nearby
       pairs (:func:`_swap_pairs`), each of which lowers the cost.
    """
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError("coupling_cost needs two samples of one size")
    if x.shape[1] == 1:
        return float(np.mean(np.abs(np.sort(x[:, 0]) - np.sort(y[:, 0]))))
    d = x.shape[1]
    h = np.asarray(grid.spacing, dtype=float)
    nx, ny = grid.nearest(x), grid.nearest(y)
    cx, cy = np.bincount(nx, minlength=grid.size), np.bincount(ny, minlength=grid.size)
    ix, iy = np.flatnonzero(cx), np.flatnonzero(cy)
    cost = pairwise_distances(grid.points[ix], grid.points[iy], metric)
    src, dst, count = _plan_counts(cx[ix], cy[iy], cost)
    src, dst = ix[src], iy[dst]
    root = np.zeros(count.size, dtype=np.int64)
    lx = _assign(np.zeros(n, dtype=np.int64), nx, root, src, dst, count, rng)
    ly = _assign(np.zeros(n, dtype=np.int64), ny, root, dst, src, count, rng)
    # each group: its source and destination cells (lower corners) and their size
    lo_a, lo_b = grid.points[src] - h / 2, grid.points[dst] - h / 2
    size = np.broadcast_to(h, lo_a.shape).copy()
    s = SUB_CELLS
    nb = s**d
    offs = np.stack(np.unravel_index(np.arange(nb), (s,) * d), axis=1) / s
    for _ in range(SUB_LEVELS):
        big = count >= REFINE_MIN
        px = np.where(big[lx], _cells(x, lo_a[lx], size[lx], s), 0)
        py = np.where(big[ly], _cells(y, lo_b[ly], size[ly], s), 0)
        hx = np.bincount(lx * nb + px, minlength=count.size * nb).reshape(count.size, nb)
        hy = np.bincount(ly * nb + py, minlength=count.size * nb).reshape(count.size, nb)
        small = np.flatnonzero(~big)
        parts = [(small, np.zeros(small.size, np.int64), np.zeros(small.size, np.int64), count[small])]
        for e in np.flatnonzero(big):
            c = pairwise_distances(lo_a[e] + (offs + 0.5) * size[e], lo_b[e] + (offs + 0.5) * size[e], metric)
            p, q, k = _plan_counts(hx[e], hy[e], c)
            parts.append((np.full(k.size, e, dtype=np.int64), p, q, k))
        g2, p2, q2, c2 = (np.concatenate([part[i] for part in parts]) for i in range(4))
        lx = _assign(lx, px, g2, p2, q2, c2, rng)
        ly = _assign(ly, py, g2, q2, p2, c2, rng)
        fine = big[g2][:, None]
        lo_a = lo_a[g2] + np.where(fine, offs[p2] * size[g2], 0.0)
        lo_b = lo_b[g2] + np.where(fine, offs[q2] * size[g2], 0.0)
        size = np.where(fine, size[g2] / s, size[g2])
        count = c2
    kx = _morton((x - lo_a[lx]) / size[lx]).astype(float)
    ky = _morton((y - lo_b[ly]) / size[ly]).astype(float)
    if d == 2:
        move = lo_b - lo_a
        length = np.linalg.norm(move, axis=1)
        normal = np.stack([-move[:, 1], move[:, 0]], axis=1) / np.where(length > 0, length, 1.0)[:, None]
        mx, my = length[lx] > 0, length[ly] > 0
        kx[mx] = np.einsum("ij,ij->i", x[mx], normal[lx[mx]])
        ky[my] = np.einsum("ij,ij->i", y[my], normal[ly[my]])
    sx, sy = np.lexsort((kx, lx)), np.lexsort((ky, ly))
    px, py = _swap_pairs(x[sx], y[sy], metric, rng, SWAP_ROUNDS.get(d, 0) if rounds is None else rounds)
    return float(np.mean(norm(px - py, metric)))


def _swap_pairs(px: Vector, py: Vector, metric: str, rng: np.random.Generator,
                rounds: int) -> tuple[Vector, Vector]:
    """Improve the pairing ``px[i] <-> py[i]`` by exchanges of partners (2-opt), never worsening it.

    Each round orders the pairs along a Z-order curve of ``px`` under a random shift; then for
    each offset ``t`` of :data:`SWAP_OFFSETS`, the pairs ``i`` and ``i + t`` of disjoint blocks
    exchange their ``py`` when ``d(px_i, py_{i+t}) + d(px_{i+t}, py_i) < d(px_i, py_i) +
    d(px_{i+t}, py_{i+t})``. The result is still a bijection between the same draws.
    """
    n, d = px.shape
    if rounds <= 0 or n < 2:
        return px, py
    lo, span = px.min(axis=0), np.ptp(px, axis=0)
    span = np.where(span > 0, span, 1.0)
    for _ in range(rounds):
        order = np.argsort(_morton(((px - lo) / span + 0.5 * rng.random(d)) / 1.5))
        px, py = px[order], py[order]
        cost = norm(px - py, metric)
        for t in SWAP_OFFSETS:
            for phase in (0, t):
                m = (n - phase) // (2 * t) * (2 * t)
                if m == 0:
                    continue
                sl = slice(phase, phase + m)
                X, Y, C = px[sl].reshape(-1, 2, t, d), py[sl].reshape(-1, 2, t, d), cost[sl].reshape(-1, 2, t)
                na, nb = norm(X[:, 0] - Y[:, 1], metric), norm(X[:, 1] - Y[:, 0], metric)
                better = na + nb < C[:, 0] + C[:, 1]
                if better.any():
                    y0 = Y[:, 0][better]
                    Y[:, 0][better] = Y[:, 1][better]
                    Y[:, 1][better] = y0
                    C[:, 0][better] = na[better]
                    C[:, 1][better] = nb[better]
    return px, py


def resolve_workers(workers: Optional[int]) -> int:
    """The number of threads: ``workers``, else the cores this process may use."""
    if workers is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on every platform
            return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be a positive int or None; got {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1; got {workers}")
    return int(workers)


def _coupling_costs(pairs: Sequence[tuple[Vector, Vector]], grid: Grid, metric: str, rng: np.random.Generator,
                    pool: Optional[ThreadPoolExecutor]) -> Callable[[], Vector]:
    """:func:`coupling_cost` of each pair, each with its own child stream of ``rng``; call the
    result for the costs (computed now without a pool, else waited for).

    The streams are spawned in order before any work starts, so the costs do not depend on the
    pool (or on its size): the same seed gives the same bounds with any number of threads.
    """
    jobs = zip(pairs, rng.spawn(len(pairs)), strict=True)
    if pool is None:
        done = np.array([coupling_cost(x, y, grid, metric, g) for (x, y), g in jobs])
        return lambda: done
    futures = [pool.submit(coupling_cost, x, y, grid, metric, g) for (x, y), g in jobs]
    return lambda: np.array([f.result() for f in futures])


def _smoothed_draws(mu: Vector, grid: Grid, n: int, rng: np.random.Generator) -> Vector:
    """``n`` draws of ``mu`` (on the nodes) spread uniformly over each node's cell."""
    node = rng.choice(grid.size, size=int(n), p=mu)
    h = np.asarray(grid.spacing)
    return np.asarray(grid.points[node] + (rng.random((int(n), grid.ndim)) - 0.5) * h)


def _subgradients(e: Vector, dist: Vector, metric: str) -> Vector:
    """A subgradient ``s`` of the norm at each row of ``e`` (``||s||_* <= 1``, ``<s, e> = ||e||``)."""
    if metric == "euclidean":
        return np.asarray(e / np.where(dist > 0, dist, 1.0)[..., None])
    if metric == "cityblock":
        return np.sign(e)
    s = np.zeros_like(e)
    a = np.argmax(np.abs(e), axis=-1)
    np.put_along_axis(s, a[..., None], np.sign(np.take_along_axis(e, a[..., None], axis=-1)), axis=-1)
    return s


def _lipschitz_constant(values: Vector, points: Vector, metric: str) -> float:
    """``max_{i != j} |v_i - v_j| / d(p_i, p_j)``: the least constant of ``values`` on ``points``."""
    best = 0.0
    step = max(1, 4_000_000 // max(points.shape[0], 1))
    for s in range(0, points.shape[0], step):
        dist = pairwise_distances(points[s : s + step], points, metric)
        diff = np.abs(values[s : s + step, None] - values[None, :])
        ok = dist > 0
        if ok.any():
            best = max(best, float(np.max(diff[ok] / dist[ok])))
    return best


def _tighten(pots: Sequence[Vector], lam: Vector, grid: Grid, metric: str,
             sweeps: int = 2) -> tuple[list[Vector], Vector]:
    r"""Lower each ``g_k`` to the least ``lambda_k``-Lipschitz function with ``sum_k g_k >= m``.

    ``m = min_i sum_k g_k(x_i)`` over the nodes. In turn for each ``k``, ``g_k`` becomes the
    smallest ``lambda_k``-Lipschitz function on the nodes above ``m - sum_{j != k} g_j``
    (a c-transform): the node minimum stays ``m`` and every ``g_k`` only decreases, so the
    dual value on the nodes does not drop, while potentials that the LP left steeper than
    needed (e.g. ``lambda_k`` cones off the support) flatten. Returns the potentials and their
    least Lipschitz constants ``L_k <= lambda_k``: the McShane extension with ``L_k`` agrees
    with them on the nodes and is lower between them than the one with ``lambda_k``.
    """
    out = [np.asarray(g, dtype=float).copy() for g in pots]
    active = [k for k in range(len(out)) if lam[k] > 0]
    if len(active) > 1:
        m = float(np.min(np.sum([out[k] for k in active], axis=0)))
        for _ in range(sweeps):
            for k in active:
                rest = np.sum([out[j] for j in active if j != k], axis=0)
                out[k] = -lipschitz_envelope(rest - m, grid.points, metric, float(lam[k]), grid=grid)
    consts = np.array([min(_lipschitz_constant(out[k], grid.points, metric), float(lam[k])) if lam[k] > 0
                       else 0.0 for k in range(len(out))])
    # the McShane extension's own node values (equal up to rounding), so that everything
    # downstream evaluates one function
    out = [lipschitz_envelope(g, grid.points, metric, float(c), grid=grid) if c > 0 else g
           for g, c in zip(out, consts, strict=True)]
    return out, consts


def _tangent_low(cone: Vector, e: Vector, dist: Vector, lk: float, corners: Vector, metric: str) -> Vector:
    """``min_j`` over cones ``cone[:, j]`` (apex offsets ``e[:, j]``) of their tangents at the box's
    corners: ``cone_j + lk <s_j, corner>`` (``s_j`` a subgradient of the norm at ``e_j``)."""
    tilt = _subgradients(e, dist, metric) @ corners.T
    return np.asarray(np.min(cone[:, :, None] + lk * tilt, axis=1))


def _cell_bounds(c: Vector, half: Vector, act: Sequence[tuple[Vector, float]], nodes: Vector, metric: str,
                 cand: Optional[list[NDArray[np.intp]]] = None
                 ) -> tuple[Vector, Vector, list[NDArray[np.intp]]]:
    """Lower bounds of ``sum_k g_k`` on the boxes ``c_i + [-half, half]`` (tangent planes, see
    :func:`_infimum`), its values at the centres, and each box's candidate nodes per ``k``.

    Only cones within ``2 L_k r`` of the lowest at the centre (``r`` the box's radius) can be
    the lowest somewhere on the box. ``cand[k][i]`` lists nodes that include all of them (rows
    of ``-1``: unknown, use every node); a box's list serves all its sub-boxes, since a cone
    within ``2 L_k r'`` of the lowest at a sub-box's centre (radius ``r'``, centre within
    ``r - r'`` of ``c``) is within ``2 L_k r`` at ``c``.
    """
    d = nodes.shape[1]
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=d))) * half
    r_sub = float(norm(half, metric))
    nb = c.shape[0]
    m = min(CANDIDATES, nodes.shape[0])
    if cand is None:
        cand = [np.full((nb, m), -1, dtype=np.intp) for _ in act]
    acc = np.zeros((nb, corners.shape[0]))
    at = np.zeros(nb)
    out_cand = []
    for (g, lk), ck in zip(act, cand, strict=True):
        low = np.empty((nb, corners.shape[0]))
        new = ck.copy()
        known = ck[:, 0] >= 0
        # boxes with a candidate list: the tangents of those cones only
        i = np.flatnonzero(known)
        for s in range(0, i.size, 50_000):
            rows = i[s : s + 50_000]
            idx = ck[rows]
            e = c[rows][:, None, :] - nodes[idx]
            dist = norm(e, metric)
            cone = g[idx] + lk * dist
            at[rows] += cone.min(axis=1)
            low[rows] = _tangent_low(cone, e, dist, lk, corners, metric)
        # the others: every node, keeping the m lowest when they include all that qualify
        i = np.flatnonzero(~known)
        step = max(1, 2_000_000 // max(nodes.shape[0], 1))
        for s in range(0, i.size, step):
            rows = i[s : s + step]
            dist = pairwise_distances(c[rows], nodes, metric)
            cone = g[None, :] + lk * dist
            at[rows] += cone.min(axis=1)
            r = np.arange(rows.size)[:, None]
            keep = np.argpartition(cone, m - 1, axis=1)[:, :m]
            kept = cone[r, keep]
            enough = kept.max(axis=1) > cone.min(axis=1) + 2.0 * lk * r_sub
            part = _tangent_low(kept, c[rows][:, None, :] - nodes[keep], dist[r, keep], lk, corners, metric)
            bad = np.flatnonzero(~enough)
            if bad.size:
                eb = c[rows[bad]][:, None, :] - nodes[None, :, :]
                part[bad] = _tangent_low(cone[bad], eb, dist[bad], lk, corners, metric)
            low[rows] = part
            new[rows] = np.where(enough[:, None], keep, -1)
        acc += low
        out_cand.append(new)
    return acc.min(axis=1), at, out_cand


def _infimum(pots: Sequence[Vector], lam: Vector, grid: Grid, metric: str,
             refine: int) -> tuple[float, float]:
    r"""A lower bound on ``inf_x sum_k g_k(x)`` over the whole space, and the node minimum.

    ``g_k`` is the McShane extension (``lambda_k``-Lipschitz, ``lambda_k`` the constants given)
    of the node values. Projecting ``x`` onto the grid's box decreases every ``d(x, node)`` (a
    monotone norm), so the infimum is over the box. Cityblock and 1D: on each cell every ``g_k``
    is a minimum of affine functions, hence concave, and so is the sum: its minimum over the
    cell is at a corner, a node. Otherwise the box is cut into ``refine^d`` sub-cells per cell
    and on a sub-cell ``S`` with centre ``c`` each cone ``g_kj + lambda_k d(x, x_j)`` is bounded
    below by its tangent at ``c``, ``g_kj + lambda_k (d(c, x_j) + <s_j, x - c>)`` (``s_j`` a
    subgradient of the norm at ``c - x_j``: ``d(x, x_j) >= <s_j, x - x_j>`` for every ``x``).
    The minimum over ``j`` of affine functions is concave, so is the sum over ``k``, and the
    bound's minimum over ``S`` is at a corner of ``S``. Its loss is second order in the
    sub-cell's size except for the cones whose apex is near ``S``; so, branch and bound, the
    boxes whose bound is below ``u - s sum_k lambda_k r`` (``u`` the least value of the sum
    seen at a node or box centre, ``r`` the cell's radius, ``s`` :data:`INFIMUM_SLACK`) are
    halved along every axis and bounded again, up to :data:`INFIMUM_DEPTH` times (at most
    :data:`INFIMUM_LEAVES` boxes per round, the lowest). The result is the least bound over
    the boxes. Sub-cells whose Lipschitz bound from their nearest node already exceeds the
    node minimum are skipped.
    """
    act = [(np.asarray(g), float(lk)) for g, lk in zip(pots, lam, strict=True) if lk > 0]
    total = np.sum([g for g, _ in act], axis=0)
    node_min = float(np.min(total))
    if metric == "cityblock" or grid.ndim == 1:
        return node_min, node_min
    refine = max(int(refine), 1)
    d = grid.ndim
    h = np.asarray(grid.spacing) / refine
    half = h / 2.0
    axes = [grid.origin[a] + (np.arange((grid.shape[a] - 1) * refine) + 0.5) * h[a] for a in range(d)]
    centres = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
    r_sub = float(norm(half, metric))
    node = grid.nearest(centres)
    coarse = total[node] - norm(centres - grid.points[node], metric) - r_sub
    todo = centres[coarse < node_min]
    settled, upper = node_min, node_min
    slack = INFIMUM_SLACK * sum(lk for _, lk in act) * float(norm(np.asarray(grid.spacing) / 2.0, metric))
    kids = np.array(list(itertools.product((-0.5, 0.5), repeat=d)))
    cand = None
    for depth in range(INFIMUM_DEPTH + 1):
        if todo.shape[0] == 0:
            break
        low, at, cand = _cell_bounds(todo, half, act, grid.points, metric, cand)
        upper = min(upper, float(at.min()))
        if depth == INFIMUM_DEPTH:
            settled = min(settled, float(low.min()))
            break
        cut = upper - slack
        closed = low >= cut
        if closed.any():
            settled = min(settled, float(low[closed].min()))
        open_ = np.flatnonzero(~closed)
        if open_.size > INFIMUM_LEAVES:
            # refine the lowest; the others keep their (valid) bounds
            order = np.argsort(low[open_])
            settled = min(settled, float(low[open_[order[INFIMUM_LEAVES:]]].min()))
            open_ = open_[order[:INFIMUM_LEAVES]]
        half = half / 2.0
        todo = (todo[open_][:, None, :] + kids[None, :, :] * (2.0 * half)).reshape(-1, d)
        cand = [np.repeat(ck[open_], kids.shape[0], axis=0) for ck in cand]
    return settled, node_min


@dataclass
class SampledReference:
    """The reusable part of :func:`gap_bounds` for one problem (inputs, weights, metric).

    Attributes
    ----------
    grid : Grid
        Where draws are quantised for the potentials.
    plan_grid : Grid
        The coarser grid over the same box whose node plans guide the coupling of draws
        (:func:`coupling_cost`).
    graph : FlowGraph
        Flows on ``grid`` (upper bounds) and their potentials (lower bounds).
    hists : list of ndarray
        The quantised reference draws of each input.
    barycenter : Measure
        ``mu_G``: a barycenter of ``hists`` on the grid nodes.
    potentials : list of ndarray
        ``g_k`` on the nodes, tightened (:func:`_tighten`).
    lipschitz : ndarray
        ``L_k <= lambda_k``: the constant of ``g_k`` and of its McShane extension.
    infimum : float
        A lower bound on ``inf_x sum_k g_k(x)`` over the whole space.
    node_minimum : float
        ``min_i sum_k g_k(x_i)``.
    weights : ndarray
    metric : str
    info : dict
    """

    grid: Grid
    plan_grid: Grid
    graph: FlowGraph
    hists: list[Vector]
    barycenter: Measure
    potentials: list[Vector]
    lipschitz: Vector
    infimum: float
    node_minimum: float
    weights: Vector
    metric: str
    info: dict[str, Any] = field(default_factory=dict)


def sampled_reference(
    inputs: Sequence[Source],
    weights: Vector,
    metric: str,
    d: int,
    *,
    grid: Optional[Grid] = None,
    side: Optional[int] = None,
    n_draws: int = DEFAULT_N_DRAWS,
    extra: Sequence[Vector] = (),
    rng: Union[None, int, np.random.Generator] = None,
    radius: Optional[int] = None,
) -> SampledReference:
    """Quantise ``n_draws`` reference draws of each input and solve their barycenter on a grid.

    The grid is ``grid``, else ``side`` (default :data:`DEFAULT_SIDE`) nodes per axis over the
    per-axis :data:`BOX_QUANTILE` quantiles of the reference draws and of the ``extra`` points
    (e.g. the candidate's draws).
    """
    t0 = time.perf_counter()
    gen = _as_rng(rng)
    lam = np.asarray(weights, dtype=float)
    draws = [draw(m, n_draws, gen, d, f"measures[{k}]") for k, m in enumerate(inputs)]
    if grid is None:
        grid = _box_grid(draws + list(extra), side or DEFAULT_SIDE.get(d, 8))
    elif grid.ndim != d:
        raise ValueError(f"support grid has dimension {grid.ndim}; the inputs have dimension {d}")
    graph = FlowGraph(grid, metric, radius)
    hists = [_quantise(grid, x).hist for x in draws]
    mu, pots = graph.barycenter(hists, lam)
    pots, consts = _tighten(pots, lam, grid, metric)
    inf, node_min = _infimum(pots, consts, grid, metric, REFINE.get(d, 1))
    info = {"time": time.perf_counter() - t0, "n_draws": n_draws, "radius": graph.radius,
            "grid": "x".join(str(s) for s in grid.shape)}
    plan_side = PLAN_SIDE.get(d, 8)
    extent = np.array([(m - 1) * hh for m, hh in zip(grid.shape, grid.spacing, strict=True)])
    plan_grid = Grid((plan_side,) * d, spacing=np.where(extent > 0, extent / (plan_side - 1), 1.0).tolist(),
                     origin=list(grid.origin))
    return SampledReference(grid, plan_grid, graph, hists, Measure.on_grid(grid, mu), pots, consts, inf,
                            node_min, lam, metric, info)


@dataclass
class SampledBounds:
    """What :func:`gap_bounds` found; every pair ``(lo, hi)`` holds at its level.

    Attributes
    ----------
    gap_interval : (float, float)
        ``gap_lower <= J(c) - J* <= gap_upper`` with probability ``>= confidence``.
    gap : float
        Point estimate: the midpoint of the means of ``U_c - L*`` and ``L_c - U*``.
    cost, optimum : float
        Midpoints of the means of ``(L_c, U_c)`` and ``(L*, U*)``.
    cost_bounds, optimum_bounds : (float, float)
        Means of ``(L_c, U_c)`` and ``(L*, U*)``; ``U*`` is ``U_c`` when the pilot chose the
        candidate as the comparator (``info["comparator"]``, ``info["pilot"]``).
    optimum_lower : float
        Lower confidence bound (level ``1 - alpha / 2``) on ``J*``.
    costs : ndarray
        Midpoints of the per-input bounds on ``W1(c, nu_k)``.
    width : dict
        The interval's width split into ``sampling`` (the two t-margins),
        ``reference_resolution`` (mean ``U* - L*``: the grid barycenter's excess, the
        coupling's excess and the potentials' loss) and ``potential_fit`` (mean
        ``U_c - L_c``: the coupling's excess and the candidate potentials' loss);
        ``dominant`` names the largest.
    values : dict of ndarray
        Per-repeat ``U_c``, ``L_c``, ``U*``, ``L*``.
    """

    gap_interval: tuple[float, float]
    gap: float
    cost: float
    optimum: float
    cost_bounds: tuple[float, float]
    optimum_bounds: tuple[float, float]
    optimum_lower: float
    costs: Vector
    width: dict[str, Any]
    values: dict[str, Vector]
    info: dict[str, Any] = field(default_factory=dict)


def t_interval(values: ArrayLike, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean of independent ``values`` and its Student-t interval ``mean -+ t_q s / sqrt(n)``.

    ``t_q`` is the ``(1 + confidence) / 2`` quantile with ``n - 1`` degrees of freedom and ``s``
    the sample standard deviation; with one value the interval is the point itself. Each end
    alone is a one-sided bound at level ``(1 + confidence) / 2``.
    """
    v = np.asarray(values, dtype=float)
    m = float(v.mean())
    if v.size < 2:
        return m, (m, m)
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.5 + confidence / 2.0, v.size - 1)) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, (m - half, m + half)


def gap_bounds(
    candidate: Source,
    inputs: Sequence[Source],
    weights: ArrayLike,
    metric: str,
    d: int,
    *,
    reference: Optional[SampledReference] = None,
    grid: Optional[Grid] = None,
    side: Optional[int] = None,
    n_draws: int = DEFAULT_N_DRAWS,
    n_repeats: int = DEFAULT_REPEATS,
    confidence: float = 0.95,
    n_correction: int = N_CORRECTION,
    seed: Union[None, int, np.random.Generator] = None,
    radius: Optional[int] = None,
    workers: Optional[int] = None,
) -> tuple[SampledBounds, SampledReference]:
    r"""Confidence bounds on ``J(c) - J*`` for sampled candidate and inputs (module docstring).

    Parameters
    ----------
    candidate : Measure or sampler
    inputs : sequence of Measure or samplers
    weights : array_like
        ``lambda`` (checked by the caller).
    metric : str
    d : int
        Dimension.
    reference : SampledReference, optional
        Reuse a reference (same inputs, weights, metric) instead of solving it again.
    grid, side, radius
        The quantisation grid (default: ``side`` nodes per axis over the draws' box) and the
        euclidean offset radius of the flows.
    n_draws : int
        Draws per distribution per repeat (and, at least :data:`N_FIT`, for the reference and
        the candidate's fit).
    n_repeats : int
        ``R >= 2`` repeats.
    confidence : float
        Joint level of the two one-sided bounds (each at ``1 - (1 - confidence) / 2``).
    n_correction : int
        Draws per distribution whose McShane values are computed exactly.
    seed : int or Generator
    workers : int, optional
        Threads that compute the couplings (default: the cores this process may use). Each
        coupling draws from its own child stream of ``seed``, so the bounds do not depend on
        ``workers``.

    Returns
    -------
    (SampledBounds, SampledReference)
    """
    rng = _as_rng(seed)
    lam = np.asarray(weights, dtype=float)
    t0 = time.perf_counter()
    n_fit = max(int(n_draws), N_FIT)
    fit = draw(candidate, n_fit, rng, d, "candidate")
    if reference is None:
        reference = sampled_reference(inputs, lam, metric, d, grid=grid, side=side, n_draws=n_fit,
                                      extra=[fit], rng=rng, radius=radius)
    t_ref = time.perf_counter() - t0
    ref = reference
    g, graph = ref.grid, ref.graph
    active = [k for k in range(len(inputs)) if lam[k] > 0]
    # The candidate's potentials: fitted on its own draws against the reference draws.
    qfit = _quantise(g, fit)
    fpots = {k: graph.w1_potential(qfit.hist, ref.hists[k]) for k in active}
    mu_g = np.asarray(ref.barycenter.weights)
    plan = ref.plan_grid
    # Which upper bound on J* to compare with, J(c) itself or J(mu~): chosen on pilot draws
    # independent of the repeats, so the choice costs no confidence.
    n_pilot = PILOT_DRAWS
    jobs = resolve_workers(workers)
    pool = ThreadPoolExecutor(jobs) if jobs > 1 and d > 1 else None
    try:
        xp = draw(candidate, n_pilot, rng, d, "candidate")
        zp = _smoothed_draws(mu_g, g, n_pilot, rng)
        yps = [draw(inputs[k], n_pilot, rng, d, f"measures[{k}]") for k in active]
        costs = _coupling_costs([(s, yp) for yp in yps for s in (xp, zp)], plan, metric, rng, pool)()
        pilot = {"candidate": float(lam[active] @ costs[0::2]), "reference": float(lam[active] @ costs[1::2])}
        comparator = "candidate" if pilot["candidate"] <= pilot["reference"] else "reference"

        R = int(n_repeats)
        keys = ("U_c", "L_c", "U_opt", "L_opt")
        vals = {key: np.zeros(R) for key in keys}
        per_k = np.zeros((R, len(inputs), 2))
        for r in range(R):
            x = draw(candidate, n_draws, rng, d, "candidate")
            z = _smoothed_draws(mu_g, g, n_draws, rng) if comparator == "reference" else None
            ys = [draw(inputs[k], n_draws, rng, d, f"measures[{k}]") for k in active]
            # the couplings run on the pool while the potentials are evaluated here
            pending = _coupling_costs([(s, y) for y in ys for s in ((x,) if z is None else (x, z))],
                                      plan, metric, rng, pool)
            qx = _quantise(g, x)
            for k, y in zip(active, ys, strict=True):
                qy = _quantise(g, y)
                f = fpots[k]
                low_c = (_potential_mean(f, qx, g, metric, 1.0, n_correction)
                         - _potential_mean(f, qy, g, metric, 1.0, n_correction))
                vals["L_c"][r] += float(lam[k]) * low_c
                vals["L_opt"][r] -= _potential_mean(ref.potentials[k], qy, g, metric, float(ref.lipschitz[k]),
                                                    n_correction)
                per_k[r, k, 0] = low_c
            vals["L_opt"][r] += ref.infimum
            costs = pending().reshape(len(active), -1)
            per_k[r, active, 1] = costs[:, 0]
            vals["U_c"][r] = float(lam[active] @ costs[:, 0])
            if z is not None:
                vals["U_opt"][r] = float(lam[active] @ costs[:, 1])
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if comparator == "candidate":
        vals["U_opt"] = vals["U_c"].copy()
    # one-sided at 1 - alpha/2 each: the upper end of one two-sided interval, the lower of another
    upper = vals["U_c"] - vals["L_opt"]
    lower = vals["L_c"] - vals["U_opt"]
    up_mean, (_, gap_hi) = t_interval(upper, confidence)
    low_mean, (gap_lo, _) = t_interval(lower, confidence)
    mean = {key: float(v.mean()) for key, v in vals.items()}
    width: dict[str, Any] = {
        "sampling": (gap_hi - up_mean) + (low_mean - gap_lo),
        "reference_resolution": mean["U_opt"] - mean["L_opt"],
        "potential_fit": mean["U_c"] - mean["L_c"],
    }
    width["dominant"] = max(("sampling", "reference_resolution", "potential_fit"), key=lambda key: width[key])
    opt_lo = t_interval(vals["L_opt"], confidence)[1][0]
    bounds = SampledBounds(
        gap_interval=(gap_lo, gap_hi),
        gap=0.5 * (up_mean + low_mean),
        cost=0.5 * (mean["U_c"] + mean["L_c"]),
        optimum=0.5 * (mean["U_opt"] + mean["L_opt"]),
        cost_bounds=(mean["L_c"], mean["U_c"]),
        optimum_bounds=(mean["L_opt"], mean["U_opt"]),
        optimum_lower=opt_lo,
        costs=per_k.mean(axis=0).mean(axis=1),
        width=width,
        values=vals,
        info={"time": time.perf_counter() - t0, "reference_time": t_ref, "n_draws": n_draws,
              "n_repeats": R, "grid_shape": ref.info.get("grid"), "radius": graph.radius,
              "plan_grid_shape": "x".join(str(v) for v in plan.shape),
              "cell_infimum_loss": ref.node_minimum - ref.infimum, "comparator": comparator,
              "pilot": pilot, "workers": jobs if pool is not None else 1},
    )
    return bounds, reference
