r"""Two-sided confidence bounds on the barycenter gap of *sampled* distributions.

When the candidate or some input is only known through a sampler, the gap
``J(c) - J*`` of the continuous distributions (``J(mu) = sum_k lambda_k W1(mu, nu_k)``) is
bracketed by four one-sided estimates, each the mean of repeat-wise values whose
expectation is on the right side of its target (docs/theory.md, facts 11-13):

* ``U_c >= J(c)`` -- primal. Fresh draws go to their nearest node of a grid (moving a draw
  costs at most its distance to the node) and the histograms are compared by the length of a
  feasible flow on the grid (:class:`~otbary.exact.grid.FlowGraph`); the empirical histograms'
  noise biases this *upward* (W1 is jointly convex).
* ``L_c <= J(c)`` -- dual. 1-Lipschitz potentials fitted on separate draws (the candidate's
  ``fit`` draws against the inputs' reference draws), evaluated by their McShane extension on
  fresh draws: an unbiased estimate of a valid lower bound.
* ``U* >= J*`` -- ``J(mu_G)`` for the barycenter ``mu_G`` of the quantised reference draws,
  bounded as for ``U_c`` with fresh input draws.
* ``L* <= J*`` -- the Kantorovich-Rubinstein bound of the barycenter problem,
  ``inf_x sum_k g_k(x) - sum_k E_{nu_k} g_k``, with ``g_k`` the reference solve's
  ``lambda_k``-Lipschitz potentials extended by McShane; the infimum over the whole space is
  bounded from a refinement of the grid and the cell size, the expectations are sample means
  of fresh draws.

Then ``gap_upper`` is the upper Student-t bound of ``mean_r (U_c - L*)`` and ``gap_lower``
the lower one of ``mean_r (L_c - U*)``, each at level ``1 - alpha / 2``: both hold at once with
probability at least ``confidence = 1 - alpha`` (union bound).

Potential means are computed from the histogram (the value at each draw's node, all draws)
plus the mean correction ``f(x) - f(node(x))`` over a subsample (:data:`N_CORRECTION` draws):
both unbiased, and the correction is small (at most the cell's radius), so few draws suffice.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exact.grid import FlowGraph
from .geometry import Grid, norm, pairwise_distances
from .measures import Measure

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
]

Vector = NDArray[np.float64]
#: A sampler: ``sampler(n, rng)`` returns an ``(n, d)`` array of ``n`` independent draws.
Sampler = Callable[[int, np.random.Generator], ArrayLike]
Source = Union[Measure, Sampler]

#: Grid nodes per axis, by dimension: the resolution of the quantisation.
DEFAULT_SIDE = {1: 1024, 2: 48, 3: 10}
#: Draws of each distribution per repeat (quantised: their cost is small).
DEFAULT_N_DRAWS = 100_000
#: Repeats: each gives one value of every bound; the Student-t intervals use their spread.
DEFAULT_REPEATS = 8
#: Draws per distribution whose potential values are computed exactly (McShane extension);
#: the others use their node's value, corrected by the subsample's mean difference.
N_CORRECTION = 2_000
#: Sub-cells per axis per grid cell on which the infimum of ``sum_k g_k`` is bounded
#: (euclidean and chebyshev; cityblock and 1D need none, the infimum is at a node).
REFINE = {1: 1, 2: 4, 3: 2}
#: Per-axis quantiles of the reference draws that set the grid's box (outliers beyond it go
#: to the boundary nodes, with their whole distance counted).
BOX_QUANTILE = 5e-3
_CHUNK = 4096


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
    lo = np.quantile(pts, BOX_QUANTILE, axis=0)
    hi = np.quantile(pts, 1.0 - BOX_QUANTILE, axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    h = span / (side - 1)
    return Grid((side,) * pts.shape[1], spacing=h.tolist(), origin=lo.tolist())


@dataclass
class _Quantised:
    """Draws on the grid: the histogram, each draw's node and distance to it."""

    hist: Vector
    node: NDArray[np.intp]
    moved: Vector
    points: Vector

    @property
    def moved_mean(self) -> float:
        return float(self.moved.mean())


def _quantise(grid: Grid, x: Vector, metric: str) -> _Quantised:
    node = grid.nearest(x)
    moved = norm(x - grid.points[node], metric)
    hist = np.bincount(node, minlength=grid.size).astype(float) / x.shape[0]
    return _Quantised(hist, node, moved, x)


def _mcshane(values: Vector, grid: Grid, x: Vector, metric: str, lipschitz: float) -> Vector:
    """``min_j values_j + L d(x, node_j)`` at the rows of ``x`` (the McShane extension)."""
    out = np.empty(x.shape[0])
    nodes = grid.points
    for s in range(0, x.shape[0], _CHUNK // 8):
        d = pairwise_distances(x[s : s + _CHUNK // 8], nodes, metric)
        out[s : s + _CHUNK // 8] = np.min(values[None, :] + lipschitz * d, axis=1)
    return out


def _potential_mean(values: Vector, q: _Quantised, grid: Grid, metric: str, lipschitz: float,
                    n_correction: int) -> float:
    """Unbiased estimate of ``E f(X)`` for the McShane extension ``f`` of ``values``.

    ``mean_i f(node(x_i))`` over all draws plus ``mean_j f(x_j) - f(node(x_j))`` over the
    first ``n_correction`` draws (the draws are i.i.d., so any fixed subset is a sample).
    """
    base = float(values @ q.hist)
    m = min(n_correction, q.points.shape[0])
    sub = q.points[:m]
    corr = _mcshane(values, grid, sub, metric, lipschitz) - values[q.node[:m]]
    return base + float(corr.mean())


def _infimum(pots: Sequence[Vector], lam: Vector, grid: Grid, metric: str,
             refine: int) -> tuple[float, float]:
    r"""A lower bound on ``inf_x sum_k g_k(x)`` over the whole space, and the node minimum.

    ``g_k`` is the McShane extension (``lambda_k``-Lipschitz) of the node values. Projecting
    ``x`` onto the grid's box decreases every ``d(x, node)`` (a monotone norm), so the
    infimum is over the box. Cityblock and 1D: on each cell every ``g_k`` is a minimum of
    affine functions, hence concave, and so is the sum: its minimum over the cell is at a
    corner, a node. Otherwise the sum (1-Lipschitz) is evaluated at the centres of
    ``refine^d`` sub-cells per cell and lowered by the sub-cell radius; sub-cells whose
    bound from their nearest node already exceeds the node minimum are skipped.
    """
    total = np.sum([np.asarray(g) for g, lk in zip(pots, lam, strict=True) if lk > 0], axis=0)
    node_min = float(np.min(total))
    if metric == "cityblock" or grid.ndim == 1 or refine <= 1:
        if metric == "cityblock" or grid.ndim == 1:
            return node_min, node_min
        return node_min - float(norm(np.asarray(grid.spacing) / 2.0, metric)), node_min
    h = np.asarray(grid.spacing) / refine
    axes = [grid.origin[a] + (np.arange((grid.shape[a] - 1) * refine) + 0.5) * h[a] for a in range(grid.ndim)]
    centres = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, grid.ndim)
    r_sub = float(norm(h / 2.0, metric))
    node = grid.nearest(centres)
    coarse = total[node] - norm(centres - grid.points[node], metric) - r_sub
    todo = coarse < node_min
    best = node_min
    if np.any(todo):
        pts = centres[todo]
        s = np.zeros(pts.shape[0])
        for g, lk in zip(pots, lam, strict=True):
            if lk > 0:
                s += _mcshane(np.asarray(g), grid, pts, metric, float(lk))
        best = min(best, float(np.min(s)) - r_sub)
    return best, node_min


@dataclass
class SampledReference:
    """The reusable part of :func:`gap_bounds` for one problem (inputs, weights, metric).

    Attributes
    ----------
    grid : Grid
        Where draws are quantised.
    graph : FlowGraph
        Flows on ``grid`` (upper bounds) and their potentials (lower bounds).
    hists : list of ndarray
        The quantised reference draws of each input.
    barycenter : Measure
        ``mu_G``: a barycenter of ``hists`` on the grid nodes.
    potentials : list of ndarray
        ``g_k`` on the nodes, ``lambda_k``-Lipschitz.
    infimum : float
        A lower bound on ``inf_x sum_k g_k(x)`` over the whole space.
    node_minimum : float
        ``min_i sum_k g_k(x_i)``.
    weights : ndarray
    metric : str
    info : dict
    """

    grid: Grid
    graph: FlowGraph
    hists: list[Vector]
    barycenter: Measure
    potentials: list[Vector]
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
    hists = [_quantise(grid, x, metric).hist for x in draws]
    mu, pots = graph.barycenter(hists, lam)
    inf, node_min = _infimum(pots, lam, grid, metric, REFINE.get(d, 1))
    info = {"time": time.perf_counter() - t0, "n_draws": n_draws, "radius": graph.radius,
            "grid": "x".join(str(s) for s in grid.shape)}
    return SampledReference(grid, graph, hists, Measure.on_grid(grid, mu), pots, inf, node_min, lam,
                            metric, info)


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
        Means of ``(L_c, U_c)`` and ``(L*, U*)``.
    optimum_lower : float
        Lower confidence bound (level ``1 - alpha / 2``) on ``J*``.
    costs : ndarray
        Midpoints of the per-input bounds on ``W1(c, nu_k)``.
    width : dict
        The interval's width split into ``sampling`` (the two t-margins), ``quantisation``
        (draws moved to nodes), ``reference_resolution`` (``U* - L*`` less its moves: the grid
        barycenter's excess and the continuous infimum) and ``potential_fit`` (``U_c - L_c``
        less its moves); ``dominant`` names the largest.
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


def _t_quantile(level: float, dof: int) -> float:
    from scipy.stats import t as student_t

    return float(student_t.ppf(level, dof))


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
        Draws per distribution per repeat (and for the reference and the candidate's fit).
    n_repeats : int
        ``R >= 2`` repeats.
    confidence : float
        Joint level of the two one-sided bounds (each at ``1 - (1 - confidence) / 2``).
    n_correction : int
        Draws per distribution whose McShane values are computed exactly.
    seed : int or Generator

    Returns
    -------
    (SampledBounds, SampledReference)
    """
    rng = _as_rng(seed)
    lam = np.asarray(weights, dtype=float)
    t0 = time.perf_counter()
    fit = draw(candidate, n_draws, rng, d, "candidate")
    if reference is None:
        reference = sampled_reference(inputs, lam, metric, d, grid=grid, side=side, n_draws=n_draws,
                                      extra=[fit], rng=rng, radius=radius)
    t_ref = time.perf_counter() - t0
    ref = reference
    g, graph = ref.grid, ref.graph
    active = [k for k in range(len(inputs)) if lam[k] > 0]
    # The candidate's potentials: fitted on its own draws against the reference draws.
    qfit = _quantise(g, fit, metric)
    fpots = {k: graph.w1_upper(qfit.hist, ref.hists[k])[1] for k in active}
    mu_g = np.asarray(ref.barycenter.weights)

    R = int(n_repeats)
    keys = ("U_c", "L_c", "U_opt", "L_opt", "moves_c", "moves_opt")
    vals = {key: np.zeros(R) for key in keys}
    per_k = np.zeros((R, len(inputs), 2))
    for r in range(R):
        qx = _quantise(g, draw(candidate, n_draws, rng, d, "candidate"), metric)
        for k in active:
            qy = _quantise(g, draw(inputs[k], n_draws, rng, d, f"measures[{k}]"), metric)
            lk = float(lam[k])
            up_c, _ = graph.w1_upper(qx.hist, qy.hist)
            up_opt, _ = graph.w1_upper(mu_g, qy.hist)
            f = fpots[k]
            low_c = (_potential_mean(f, qx, g, metric, 1.0, n_correction)
                     - _potential_mean(f, qy, g, metric, 1.0, n_correction))
            g_mean = _potential_mean(ref.potentials[k], qy, g, metric, lk, n_correction)
            u_c = up_c + qx.moved_mean + qy.moved_mean
            vals["U_c"][r] += lk * u_c
            vals["L_c"][r] += lk * low_c
            vals["U_opt"][r] += lk * (up_opt + qy.moved_mean)
            vals["L_opt"][r] -= g_mean
            vals["moves_c"][r] += lk * (qx.moved_mean + qy.moved_mean)
            vals["moves_opt"][r] += lk * qy.moved_mean
            per_k[r, k] = (low_c, u_c)
        vals["L_opt"][r] += ref.infimum
    alpha = 1.0 - float(confidence)
    tq = _t_quantile(1.0 - alpha / 2.0, R - 1)
    upper = vals["U_c"] - vals["L_opt"]
    lower = vals["L_c"] - vals["U_opt"]
    su, sl = float(upper.std(ddof=1)), float(lower.std(ddof=1))
    gap_hi = float(upper.mean()) + tq * su / math.sqrt(R)
    gap_lo = float(lower.mean()) - tq * sl / math.sqrt(R)
    mean = {key: float(v.mean()) for key, v in vals.items()}
    width = {
        "sampling": tq * (su + sl) / math.sqrt(R),
        "quantisation": mean["moves_c"] + mean["moves_opt"],
        "reference_resolution": mean["U_opt"] - mean["moves_opt"] - mean["L_opt"],
        "potential_fit": mean["U_c"] - mean["moves_c"] - mean["L_c"],
    }
    width["dominant"] = max(("sampling", "quantisation", "reference_resolution", "potential_fit"),
                            key=lambda key: width[key])
    opt_lo = float(vals["L_opt"].mean()) - tq * float(vals["L_opt"].std(ddof=1)) / math.sqrt(R)
    bounds = SampledBounds(
        gap_interval=(gap_lo, gap_hi),
        gap=0.5 * (float(upper.mean()) + float(lower.mean())),
        cost=0.5 * (mean["U_c"] + mean["L_c"]),
        optimum=0.5 * (mean["U_opt"] + mean["L_opt"]),
        cost_bounds=(mean["L_c"], mean["U_c"]),
        optimum_bounds=(mean["L_opt"], mean["U_opt"]),
        optimum_lower=opt_lo,
        costs=per_k.mean(axis=0).mean(axis=1),
        width=width,
        values={key: vals[key] for key in ("U_c", "L_c", "U_opt", "L_opt")},
        info={"time": time.perf_counter() - t0, "reference_time": t_ref, "n_draws": n_draws,
              "n_repeats": R, "grid_shape": ref.info.get("grid"), "radius": graph.radius,
              "cell_infimum_loss": ref.node_minimum - ref.infimum},
    )
    return bounds, reference
