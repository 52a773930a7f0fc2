r"""Wasserstein-ball constrained problems on a fixed support (theory fact 10).

:func:`ball_problem` solves

.. math::

    \min_{\mu \in \Delta(S)} W_1(\mu, \tau) \quad \text{s.t.} \quad
    W_1(\mu, \nu_k) \le \eta_k \quad (k = 1..K)

over probability measures ``mu`` on a fixed support ``S``. Every ``W1`` is linear in
``(mu, transport)``, so the problem is one LP:

* **grids** (all measures on one :class:`~otbary.Grid`): one min-cost flow per measure
  sharing ``mu`` (theory fact 2, the arcs of :mod:`otbary.arcs`)::

      min len.f_0   s.t.  D f_j - mu = -nu_j (j = 0..K, nu_0 = target),
                          len.f_k <= eta_k (k = 1..K),  f >= 0,  mu >= 0;

  cityblock and chebyshev (uniform spacing) are exact on the neighbour arcs; euclidean
  adds primitive directions priced by the duals until none is violated (the same arc
  generation as the exact grid path), so it is exact too. Solved by the interior-point
  method of :mod:`otbary.exact.ipm` (HiGHS dual simplex as the fallback on small LPs);
* **point clouds**: one transport plan per measure sharing the marginal ``mu`` on ``S``,
  ``<M_k, pi_k> <= eta_k``, solved by HiGHS.

The multipliers are ``lambda_k = -y_k >= 0`` with ``y_k`` the LP dual of the radius row
``k`` (the rows are ``<=`` rows, so ``y_k <= 0``): ``lambda_k`` is the rate at which the
optimal value falls when ``eta_k`` grows. By LP duality (theory fact 10) the same ``mu``
minimises the Lagrangian ``W1(mu, target) + sum_k lambda_k W1(mu, nu_k)``: it is a
barycenter of ``(target, nu_1..nu_K)`` with weights proportional to
``(1, lambda_1..lambda_K)``.

Feasibility is settled first by a second LP, the radius scale

.. math::

    s^* = \min_{\mu \in \Delta(S)} \max_k W_1(\mu, \nu_k) / \eta_k ,

the smallest common factor ``s`` such that the radii ``s * eta`` admit a feasible ``mu``;
the instance is feasible when ``s* <= 1`` (to :data:`FEASIBILITY_RTOL`). Both LPs are
certified: upper bounds come from exactly feasible primal solutions, lower bounds from
exactly Lipschitz dual potentials (Lagrangian bound, see :func:`ball_problem`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .certificates import GAP_RTOL_IPM, check_gap
from .errors import NotOptimalError
from .exact.w1 import w1
from .geometry import Grid, check_metric
from .measures import Measure, check_measures
from .potentials import barycenter_lower_bound, lipschitz_envelope
from .results import BallResult
from .support import FixedSupportArg

__all__ = ["ACTIVE_RTOL", "FEASIBILITY_RTOL", "RADIUS_FLOOR", "SCALE_FLOOR", "ball_problem",
           "check_radii"]

Vector = NDArray[np.float64]
_T = TypeVar("_T")

#: The instance is declared feasible when the certified radius scale is at most
#: ``1 + FEASIBILITY_RTOL``; the radius constraints then hold to that relative tolerance.
FEASIBILITY_RTOL = 1e-7
#: A constraint is reported active when ``W1(mu, nu_k) >= eta_k - ACTIVE_RTOL * max(eta_k, scale)``
#: (``scale``: the diameter of the support).
ACTIVE_RTOL = 1e-6
#: Certified gaps: ``upper - lower <= GAP_RTOL_IPM * max(|upper|, SCALE_FLOOR * L)`` with ``L`` the
#: support's diameter (for the radius scale, ``L / min(eta)``), else
#: :class:`~otbary.errors.NotOptimalError`.
SCALE_FLOOR = 1e-3
#: Radii at most ``RADIUS_FLOOR`` times the support's diameter are below the LP solvers'
#: resolution and are treated as 0: ``mu`` must then equal that centre (closed form, no LP).
RADIUS_FLOOR = 1e-12
#: Blocks whose Lipschitz weight is below this fraction of the largest are not priced in the
#: euclidean arc generation (their duals are constant up to rounding).
_PRICE_FLOOR = 1e-9


# --------------------------------------------------------------------------- input checks


def check_radii(radii: ArrayLike, k: int, name: str = "radii") -> Vector:
    """Radii ``eta``: a finite, non-negative vector of length ``k`` (else ``ValueError``/``TypeError``)."""
    try:
        eta = np.asarray(radii, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers") from exc
    if eta.ndim == 0:
        eta = eta.reshape(1)
    if eta.ndim != 1 or eta.shape[0] != k:
        raise ValueError(f"{name} must have one entry per centre ({k}); got shape {eta.shape}")
    if not np.all(np.isfinite(eta)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if np.any(eta < 0):
        raise ValueError(f"{name} must be non-negative; got {eta.tolist()}")
    return eta


def _check_inputs(target: object, centers: object) -> tuple[Measure, list[Measure]]:
    if not isinstance(target, Measure):
        raise TypeError(f"target must be an otbary.Measure; got {type(target).__name__}")
    if isinstance(centers, Measure):
        centers = [centers]
    if isinstance(centers, (str, bytes)) or not hasattr(centers, "__iter__"):
        raise TypeError(f"centers must be a sequence of otbary.Measure; got {type(centers).__name__}")
    cs = check_measures(centers, "centers")  # type: ignore[arg-type]
    if cs[0].dim != target.dim:
        raise ValueError(f"centers have dimension {cs[0].dim}, target has {target.dim}")
    return target, cs


def _resolve(measures: list[Measure], support: Optional[FixedSupportArg]) -> tuple[str, Any]:
    """``("grid", Grid)`` or ``("points", (s, d) array)``; the barycenter's rules, no free support."""
    from .support import resolve_support

    if isinstance(support, str):
        raise ValueError(f"support={support!r}: ball problems are solved on a fixed support "
                         "(None, a Grid, a Measure or points)")
    try:
        kind, data = resolve_support(measures, support)
    except ValueError as exc:
        raise ValueError(f"support: {exc} (target and centers)") from exc
    if kind == "1d":
        pts = np.unique(np.concatenate([m.compress().points for m in measures]), axis=0)
        return "points", pts
    return kind, data


# --------------------------------------------------------------------------- LP models


@dataclass
class _LPAnswer:
    """An LP of the ball family solved once: raw primal and dual parts."""

    mu: Vector  # clipped and renormalised
    lam: Vector  # -(duals of the radius rows), clipped at 0
    value: float  # solver objective
    bound: float  # certified lower bound on the LP's optimum
    upper: Vector  # exact upper bounds on the transport cost of each budget block at ``mu``
    info: dict[str, Any]


class _GridModel:
    """Flow formulation on one grid (module docstring), with euclidean arc generation."""

    def __init__(self, grid: Grid, metric: str) -> None:
        from .exact import grid as g

        self.g = g
        self.grid = grid
        self.metric = metric
        self.exact = g._exact_arcs(grid, metric)
        self.offsets = g.neighbour_offsets(grid.ndim, metric, 1 if self.exact else g.START_RADIUS)
        self.scale = grid.diameter(metric)

    def solve(self, nus: list[Vector], objective: Vector, eta: Vector, scale_lp: bool,
              backend: str = "ipm") -> _LPAnswer:
        """Blocks ``j``: flows ``mu -> nus[j]`` with objective weight ``objective[j]``.

        The last ``len(eta)`` blocks carry the radius rows ``len.f_k <= eta_k`` (``<= s eta_k``
        and objective ``s`` when ``scale_lp``).
        """
        g = self.g
        grid = self.grid
        n_free = len(nus) - len(eta)
        rounds, iterations = 0, 0
        while True:
            rounds += 1
            arcs = g.offset_arcs(grid, self.offsets, self.metric)
            D = g._incidence(grid.size, arcs)
            res, parts = self._solve_once(D, arcs.length, nus, objective, eta, scale_lp, backend)
            iterations += res.iterations
            flows, mu_raw, lam, duals = parts
            weights = objective + np.concatenate([np.zeros(n_free), lam])
            if self.exact or rounds >= g.MAX_ROUNDS:
                break
            big = weights > _PRICE_FLOOR * max(float(weights.max()), 1e-300)
            have = self.offsets
            priced = [d for d, b in zip(duals, big, strict=True) if b]
            new = g._with_offsets(have, g._price(grid, self.metric, priced, weights[big], have))
            if new.shape[0] == have.shape[0]:
                break
            self.offsets = new
        mu = np.maximum(mu_raw, 0.0)
        mu /= mu.sum()
        tree = g._Tree(grid, arcs)
        upper = np.array([float(arcs.length @ g._feasible_flow(D, arcs, tree, f, mu - nu))
                          for f, nu in zip(flows[n_free:], nus[n_free:], strict=True)])
        pots = [lipschitz_envelope(y, grid.points, self.metric, float(w), grid=grid)
                for y, w in zip(duals, weights, strict=True)]
        bound = barycenter_lower_bound(pots, pots, nus)
        info = {"solver": "ipm" if res.info.get("backend") not in ("highs-ds", "highs") else "simplex",
                "ipm_status": res.info.get("ipm_status", res.status), "iterations": iterations,
                "rounds": rounds, "n_arcs": arcs.size}
        value = float(res.x[-1]) if scale_lp else float(objective[0] * arcs.length @ flows[0])
        return _LPAnswer(mu, lam, value, bound, upper, info)

    def _solve_once(self, D: sp.csc_matrix, length: Vector, nus: list[Vector], objective: Vector, eta: Vector,
                    scale_lp: bool, backend: str
                    ) -> tuple[Any, tuple[list[Vector], Vector, Vector, list[Vector]]]:
        n, m = D.shape
        nb, kb = len(nus), len(eta)
        n_free = nb - kb
        flow_rows = sp.hstack([sp.block_diag([D] * nb, format="csc"), -sp.vstack([sp.identity(n)] * nb)])
        # scale LP: the rows are divided by eta_k (len.f_k / eta_k - s <= 0), which keeps the
        # interior point well conditioned; their duals are then lambda_k * eta_k
        row_scale = 1.0 / eta if scale_lp else np.ones(kb)
        budget = sp.hstack([sp.csr_matrix((kb, n_free * m)),
                            sp.block_diag([sp.csr_matrix(r * length[None, :]) for r in row_scale]),
                            sp.csr_matrix((kb, n))])
        extra = [sp.csr_matrix((nb * n, kb)), sp.identity(kb)]
        cols_top, cols_bot = [flow_rows, extra[0]], [budget, extra[1]]
        if scale_lp:
            cols_top.append(sp.csr_matrix((nb * n, 1)))
            cols_bot.append(sp.csr_matrix(-np.ones((kb, 1))))
        A = sp.vstack([sp.hstack(cols_top), sp.hstack(cols_bot)], format="csr")
        keep = np.ones(nb * n + kb, dtype=bool)
        keep[n : nb * n : n] = False  # node 0 of blocks 2..: the rows are then independent
        b = np.concatenate([-np.concatenate(nus), np.zeros(kb) if scale_lp else eta])
        tail = [np.zeros(n + kb)] + ([np.ones(1)] if scale_lp else [])
        c = np.concatenate([w * length for w in objective] + tail)
        if backend == "ipm":
            res = self.g._solve_lp(c, A[keep], b[keep])
        else:  # HiGHS dual simplex: a vertex, robust to badly scaled radii
            from .exact.highs import solve_lp as highs_lp
            from .exact.ipm import IPMResult

            lp = highs_lp(c, A[keep], b[keep], what="ball-problem LP")
            res = IPMResult(lp.x, lp.row_duals, c - A[keep].T @ lp.row_duals, "optimal", 0,
                            {"backend": "highs"})
        y = np.zeros(nb * n + kb)
        y[keep] = res.y
        flows = [res.x[j * m : (j + 1) * m] for j in range(nb)]
        mu = res.x[nb * m : nb * m + n]
        lam = np.maximum(-y[nb * n :], 0.0) * row_scale
        duals = [y[j * n : (j + 1) * n] for j in range(nb)]
        return res, (flows, mu, lam, duals)


class _PointModel:
    """Plan formulation on support points ``S`` (module docstring), solved by HiGHS."""

    def __init__(self, support: Vector, metric: str) -> None:
        from .certificates import problem_scale

        self.S = support
        self.metric = metric
        self.scale = problem_scale(support)

    def solve_measures(self, measures: list[Measure], objective: Vector, eta: Vector,
                       scale_lp: bool) -> _LPAnswer:
        from .exact.highs import solve_lp
        from .exact.pointcloud import barycenter_lp, c_transform, plan_blocks

        S = self.S
        s = S.shape[0]
        nb, kb = len(measures), len(eta)
        n_free = nb - kb
        blocks = plan_blocks(S, measures, self.metric, "ball_problem", extra_vars=int(scale_lp))
        inputs, sizes, union, unit, M = blocks.inputs, blocks.sizes, blocks.union, blocks.unit, blocks.costs
        n_vars = blocks.n_vars
        _, A_eq, b_eq = barycenter_lp(M, [bk for _, bk in inputs], np.zeros(nb))
        starts = np.concatenate([[0], np.cumsum([Mk.size for Mk in M])])
        rows = [sp.csr_matrix((Mk.ravel(), (np.zeros(Mk.size, dtype=int), np.arange(lo, hi))),
                              shape=(1, A_eq.shape[1]))
                for Mk, lo, hi in zip(M[n_free:], starts[n_free:-1], starts[n_free + 1 :], strict=True)]
        A_ub = sp.vstack(rows, format="csr")
        c = np.concatenate([w * Mk.ravel() for w, Mk in zip(objective, M, strict=True)] + [np.zeros(s)])
        if scale_lp:
            A_eq = sp.hstack([A_eq, sp.csr_matrix((A_eq.shape[0], 1))], format="csr")
            A_ub = sp.hstack([A_ub, sp.csr_matrix(-eta[:, None] / unit)], format="csr")
            c = np.concatenate([c, [1.0]])
            b_ub = np.zeros(kb)
        else:
            b_ub = eta / unit
        sol = solve_lp(c, A_eq, b_eq, A_ub=A_ub, b_ub=b_ub, what="ball-problem LP")
        n_eq = A_eq.shape[0]
        lam = np.maximum(-sol.row_duals[n_eq:], 0.0)
        mu = np.clip(sol.x[starts[-1] : starts[-1] + s], 0.0, None)
        mu /= mu.sum()
        weights = objective + np.concatenate([np.zeros(n_free), lam])
        # the scale LP's objective is not divided by ``unit``: its duals are in units of 1/length
        pot_unit, w_unit = (1.0, unit) if scale_lp else (unit, 1.0)
        betas = np.split(pot_unit * sol.row_duals[nb * s : n_eq], np.cumsum(sizes)[:-1])
        w_true = weights / w_unit
        gk = [c_transform(y, beta, union, self.metric, float(w))
              for (y, _), beta, w in zip(inputs, betas, w_true, strict=True)]
        offs = np.cumsum([s] + sizes)
        bound = barycenter_lower_bound([g[:s] for g in gk], [g[lo:hi] for g, lo, hi in
                                                             zip(gk, offs[:-1], offs[1:], strict=True)],
                                       [bk for _, bk in inputs])
        mu_m = Measure(S, mu)
        upper = np.array([w1(mu_m, nu, self.metric) for nu in measures[n_free:]])
        value = float(sol.x[-1]) if scale_lp else unit * float(sol.objective)
        info = {"solver": "highs", "n_variables": n_vars}
        return _LPAnswer(mu, lam / w_unit if scale_lp else lam, value, bound, upper, info)


# --------------------------------------------------------------------------- the solver


def _scale_from(ans: _LPAnswer, eta: Vector) -> tuple[float, float]:
    """Certified ``(upper, lower)`` bounds on the radius scale from the scale LP's answer."""
    upper = float(np.max(ans.upper / eta))
    denom = float(ans.lam @ eta)
    lower = ans.bound / denom if denom > 0 else 0.0
    return upper, max(lower, 0.0)


def ball_problem(
    target: Measure,
    centers: Sequence[Measure],
    radii: ArrayLike,
    metric: str = "euclidean",
    support: Optional[FixedSupportArg] = None,
) -> BallResult:
    r"""Closest measure to ``target`` inside the Wasserstein balls ``B(nu_k, eta_k)``.

    .. math::

        \min_{\mu \in \Delta(S)} W_1(\mu, \tau) \quad \text{s.t.} \quad W_1(\mu, \nu_k) \le \eta_k,
        \qquad k = 1..K,

    as one LP on the support ``S`` (module docstring). Its Lagrangian with the multipliers
    ``lambda_k >= 0`` is the barycenter objective with weights ``(1, lambda_1..lambda_K)``
    (theory fact 10), whence the certified bound, valid for every feasible ``mu``:

    .. math::

        W_1(\mu, \tau) \ge \min_i \sum_{j=0}^K g_j(s_i) - \sum_{j=0}^K \langle g_j, \nu_j \rangle
                          - \sum_k \lambda_k \eta_k

    with ``g_0`` 1-Lipschitz and ``g_k`` ``lambda_k``-Lipschitz (``nu_0 = tau``; theory fact 3).

    Parameters
    ----------
    target : Measure
        ``tau``: the measure to approach (e.g. the few local samples).
    centers : sequence of Measure
        The ball centres ``nu_1..nu_K`` (e.g. the pre-trained models), of the target's dimension.
    radii : array_like, shape (K,)
        ``eta_k >= 0``, finite.
    metric : {"euclidean", "cityblock", "chebyshev"}
    support : None, Grid, Measure or array_like, optional
        Where ``mu`` may put mass. ``None``: the shared grid when every measure is a histogram
        on one :class:`~otbary.Grid` (flow formulation), else the union of the supports
        (plan formulation). A Grid, a Measure or an ``(s, d)`` array as in
        :func:`otbary.barycenter`.

    Returns
    -------
    BallResult
        ``measure`` (``mu`` on ``S``), ``cost = W1(mu, target)`` recomputed by :func:`otbary.w1`,
        ``multipliers`` (``lambda_k = -y_k``, ``y_k <= 0`` the LP dual of the ``<=`` radius row:
        ``d(optimum)/d(eta_k) = -lambda_k``), ``active``, ``distances`` (``W1(mu, nu_k)`` by
        :func:`otbary.w1`), ``feasible``, ``radius_scale`` (certified, see the module docstring),
        ``lower_bound`` (above). An infeasible instance returns ``feasible=False``,
        ``measure=None``, ``cost=inf``, ``distances=inf``, ``lower_bound=-inf``, zero
        multipliers and ``radius_scale > 1``; ``info["infeasibility_weights"]`` then holds
        ``w >= 0`` with ``w.eta = 1`` and ``min_mu sum_k w_k W1(mu, nu_k) > 1`` (a certificate).
        ``info`` also holds ``radius_scale_lower`` (the certified lower bound on the scale),
        ``path``, solver details and ``time``.

    Raises
    ------
    TypeError, ValueError
        Bad input, naming the argument: ``target``/``centers`` not measures or of different
        dimensions, ``radii`` negative, non-finite or of the wrong length, measures on
        different grids with ``support=None``, an unknown ``metric``.
    SizeLimitError
        Point clouds whose plan LP exceeds :data:`otbary.exact.pointcloud.MAX_LP_VARIABLES`.
    NotOptimalError
        A certified gap (ball LP or radius scale) exceeds the exact paths' tolerance.
    """
    t0 = time.perf_counter()
    tgt, cs = _check_inputs(target, centers)
    eta = check_radii(radii, len(cs))
    metric = check_metric(metric)
    kind, data = _resolve([tgt] + cs, support)
    if kind == "grid":
        grid: Grid = data
        gm = _GridModel(grid, metric)
        scale = gm.scale

        def on_support(m: Measure) -> Optional[Vector]:
            return np.asarray(m.weights, dtype=float)

        def to_measure(w: Vector) -> Measure:
            return Measure.on_grid(grid, w, normalize=True)

        def run(ms: list[Measure], obj: Vector, e: Vector, scale_lp: bool, backend: str) -> _LPAnswer:
            return gm.solve([np.asarray(m.weights, dtype=float) for m in ms], obj, e, scale_lp, backend)
        path = "grid-flow"
    else:
        S = np.asarray(data, dtype=float)
        pm = _PointModel(S, metric)
        scale = pm.scale

        def on_support(m: Measure) -> Optional[Vector]:
            return _on_points(m, S)

        def to_measure(w: Vector) -> Measure:
            return Measure(S, w, normalize=True)

        def run(ms: list[Measure], obj: Vector, e: Vector, scale_lp: bool, backend: str) -> _LPAnswer:
            return pm.solve_measures(ms, obj, e, scale_lp)
        path = "plan"
    k = len(cs)
    tiny = eta <= RADIUS_FLOOR * scale
    zero = np.flatnonzero(tiny)
    info: dict[str, Any] = {"path": path, "support": "grid" if kind == "grid" else f"points (n={len(data)})"}
    if zero.size:
        mu_w = _zero_radius_measure(cs, zero, metric, on_support, scale)
        if mu_w is None:
            info.update(radius_scale_lower=np.inf, time=time.perf_counter() - t0)
            return BallResult(None, np.inf, np.zeros(k), np.zeros(k, dtype=bool), False, np.inf,
                              np.full(k, np.inf), -np.inf, metric, "infeasible", info)
        mu = to_measure(mu_w)
        dist = np.array([w1(mu, nu, metric) for nu in cs])
        pos = ~tiny
        s_up = float(np.max(dist[pos] / eta[pos])) if np.any(pos) else 0.0
        info.update(path=path + " (zero radius: mu is that centre)", radius_scale_lower=s_up)
        if s_up > 1.0 + FEASIBILITY_RTOL:
            info["time"] = time.perf_counter() - t0
            return BallResult(None, np.inf, np.zeros(k), np.zeros(k, dtype=bool), False, s_up,
                              np.full(k, np.inf), -np.inf, metric, "infeasible", info)
        cost = w1(mu, tgt, metric)
        lam = np.zeros(k)
        lam[zero[0]] = 1.0  # W1(mu', target) + W1(mu', nu_z) >= W1(nu_z, target) (triangle inequality)
        info["time"] = time.perf_counter() - t0
        return BallResult(mu, cost, lam, _active(dist, eta, scale), True, s_up, dist, cost, metric,
                          "optimal", info)


    # 1. the radius scale s* = min_mu max_k W1(mu, nu_k) / eta_k
    def scale_lp(backend: str) -> tuple[_LPAnswer, float, float]:
        sc = run(cs, np.zeros(k), eta, True, backend)
        s_up, s_low = _scale_from(sc, eta)
        check_gap(s_up, s_low, SCALE_FLOOR * scale / float(eta.min()), "ball_problem radius scale",
                  rtol=GAP_RTOL_IPM, detail=f" ({sc.info})")
        return sc, s_up, s_low

    sc, s_up, s_low = _with_fallback(scale_lp, kind == "grid")
    info.update(radius_scale_lower=s_low, scale_lp=sc.info)
    if s_up > 1.0 + FEASIBILITY_RTOL:
        denom = float(sc.lam @ eta)
        w = sc.lam / denom if denom > 0 else np.zeros(k)
        info.update(infeasibility_weights=w, time=time.perf_counter() - t0)
        return BallResult(None, np.inf, np.zeros(k), np.zeros(k, dtype=bool), False, s_up,
                          np.full(k, np.inf), -np.inf, metric, "infeasible", info)
    # 2. the ball LP, on radii eta * max(1, s_up): feasible by the witness of step 1
    eff = eta * max(1.0, s_up)
    def ball_lp(backend: str) -> tuple[_LPAnswer, Measure, float, float]:
        ans = run([tgt] + cs, np.concatenate([[1.0], np.zeros(k)]), eff, False, backend)
        lower = ans.bound - float(ans.lam @ eff)
        mu = to_measure(ans.mu)
        cost = w1(mu, tgt, metric)
        check_gap(cost, lower, SCALE_FLOOR * scale, "ball_problem", rtol=GAP_RTOL_IPM,
                  detail=f" ({ans.info})")
        return ans, mu, cost, lower

    ans, mu, cost, lower = _with_fallback(ball_lp, kind == "grid")
    lam = ans.lam
    dist = np.array([w1(mu, nu, metric) for nu in cs])
    info.update(ans.info, lp_objective=ans.value, time=time.perf_counter() - t0)
    return BallResult(mu, cost, lam, _active(dist, eta, scale), True, s_up, dist, lower, metric,
                      "optimal", info)


def _with_fallback(solve: Callable[[str], _T], grid: bool) -> _T:
    """``solve("ipm")``; on a grid, ``solve("highs")`` when the interior point answer is not certified."""
    if not grid:
        return solve("highs")
    try:
        return solve("ipm")
    except NotOptimalError:
        return solve("highs")


def _active(dist: Vector, eta: Vector, scale: float) -> NDArray[np.bool_]:
    return np.asarray(dist >= eta - ACTIVE_RTOL * np.maximum(eta, scale), dtype=bool)


def _on_points(m: Measure, S: Vector) -> Optional[Vector]:
    """``m``'s masses on the support points ``S``, or ``None`` if an atom of mass lies off ``S``."""
    out = np.zeros(S.shape[0])
    keys = {tuple(p): i for i, p in enumerate(S.tolist())}
    for p, w in zip(m.points.tolist(), m.weights.tolist(), strict=True):
        if w <= 0:
            continue
        i = keys.get(tuple(p))
        if i is None:
            return None
        out[i] += w
    return out


def _zero_radius_measure(centers: list[Measure], zero: NDArray[np.intp], metric: str,
                         on_support: Callable[[Measure], Optional[Vector]], scale: float) -> Optional[Vector]:
    """The only candidate when some radii are 0: the common centre of radius 0 on the support."""
    first = centers[int(zero[0])]
    if any(w1(first, centers[int(z)], metric) > ACTIVE_RTOL * scale for z in zero[1:]):
        return None
    return on_support(first)
