"""Free-support W1 barycenters by the multi-marginal LP (theory fact 8).

For ``p = 1`` the barycenter problem over *all* probability measures equals the
multi-marginal transport problem

.. math::

    \\min_{\\gamma \\in \\Pi(\\nu_1, \\dots, \\nu_K)} \\int c(x_1, \\dots, x_K)\\, d\\gamma,
    \\qquad c(x_1, \\dots, x_K) = \\min_y \\sum_k \\lambda_k d(y, x_k),

and a barycenter is the push-forward of an optimal ``gamma`` by the weighted Fermat–Weber
map ``(x_1..x_K) -> argmin_y sum_k lambda_k d(y, x_k)``: gluing the plans ``pi_k`` of any
``mu`` gives a coupling with ``sum_k lambda_k W1(mu, nu_k) >= int c dgamma``, and the
push-forward attains it. The LP has one variable per tuple of the product of the supports,
hence :data:`MAX_TUPLES`.

Fermat–Weber points per metric:

* cityblock: the coordinatewise lower weighted median (exact);
* chebyshev: in 1D the median; in 2D the cityblock answer in the coordinates
  ``(x_1 + x_2, x_1 - x_2)``, where ``||z||_inf = (|z_1 + z_2| + |z_1 - z_2|) / 2`` (exact);
  from 3D one small LP per tuple (HiGHS, block-diagonal batches);
* euclidean: exact when the optimum is an input point (the vertex test
  ``|sum_{x_k != x_j} lambda_k (x_k - x_j) / |x_k - x_j|| <= sum_{x_k = x_j} lambda_k``),
  else, from the weighted mean, rounds that keep the best of a Weiszfeld step (Vardi–Zhang's
  form, which leaves an input point it lands on), damped Newton steps and radial steps towards
  the nearest input point, until the certified gap of the tuple is below
  :data:`FERMAT_WEBER_RTOL` times the length scale of the inputs (their diameter, see
  :func:`~otbary.certificates.problem_scale`; typically 5-10 rounds;
  a rare tuple left above it only loosens the certified bound by its own gap).

Every approximate Fermat–Weber value comes with a certified lower bound
``c_low(t) = sum_k <w_k, x_k - y>`` for dual vectors with ``||w_k||_* <= lambda_k`` and
``sum_k w_k = 0`` (Hölder: ``sum_k lambda_k ||y' - x_k|| >= sum_k <w_k, x_k - y'>`` for all
``y'``). The LP's row duals ``u_k`` are shifted down by
``delta = max(0, max_t sum_k u_k(x_tk) - c_low(t))`` so that they are exactly dual feasible,
and ``sum_k <u_k, nu_k> - delta`` is the reported lower bound over all measures.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..certificates import check_gap, problem_scale, unit_length
from ..errors import SizeLimitError
from ..geometry import norm
from ..measures import Measure
from ..potentials import Potential
from ..results import BarycenterResult
from .highs import solve_lp
from .onedim import weighted_lower_median
from .pointcloud import c_transform, positive_atoms, w1_points

__all__ = ["FERMAT_WEBER_RTOL", "MAX_TUPLES", "MAX_TUPLES_CHEBYSHEV_LP", "barycenter_free", "fermat_weber"]

#: Largest number of tuples ``n_1 * ... * n_K`` (atoms of positive mass) of the multi-marginal LP.
MAX_TUPLES = 200_000

#: Smaller limit for chebyshev from 3D, where every tuple's Fermat–Weber point is a small LP
#: (about 1 ms per tuple).
MAX_TUPLES_CHEBYSHEV_LP = 20_000

#: Target of the certified Fermat–Weber gap per tuple, relative to the inputs' length scale.
FERMAT_WEBER_RTOL = 1e-13

#: Cap on the rounds of Weiszfeld / damped Newton steps (the certified gap, not this cap,
#: decides optimality; Newton converges quadratically where the optimum is not an input point).
WEISZFELD_MAX_ITER = 200

#: Variables per block-diagonal batch of chebyshev Fermat–Weber LPs (3D and above).
_LP_BATCH_VARIABLES = 60_000

#: Euclidean refinement selects steps by objective above this certified gap (relative to the
#: tuple's objective), by certified gap below it.
_SWITCH_RTOL = 1e-6

#: Entries ``T K^2 d`` of the vertex test's arrays processed at once (memory bound).
_VERTEX_TEST_ENTRIES = 4_000_000

_DUAL_NORM = {"euclidean": "euclidean", "cityblock": "chebyshev", "chebyshev": "cityblock"}


def _certified_lower(
    w: NDArray[np.float64],
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    lam: NDArray[np.float64],
    metric: str,
) -> NDArray[np.float64]:
    """``sum_k <w''_k, x_k - y>`` after repairing ``w`` into ``||w''_k||_* <= lambda_k``, ``sum_k w''_k = 0``.

    ``w`` has shape ``(T, K, d)``; the residual ``g = sum_k w_k`` is removed as
    ``w_k - lambda_k g`` and the result scaled down by ``max(1, max_k ||.||_* / lambda_k)``.
    Inputs with ``lambda_k = 0`` get ``w_k = 0``.
    """
    active = lam > 0
    w = np.where(active[None, :, None], w, 0.0)
    w = w - lam[None, :, None] * np.sum(w, axis=1, keepdims=True)
    dual = norm(w, _DUAL_NORM[metric], axis=2)
    ratio = np.max(np.where(active[None, :], dual / np.where(active, lam, 1.0)[None, :], 0.0), axis=1)
    w = w / np.maximum(1.0, ratio)[:, None, None]
    return np.asarray(np.sum(w * (X - y[:, None, :]), axis=(1, 2)))


def _median_point(X: NDArray[np.float64], lam: NDArray[np.float64]) -> NDArray[np.float64]:
    """Coordinatewise lower weighted median of each tuple: ``(T, K, d) -> (T, d)``."""
    return np.stack([weighted_lower_median(X[:, :, c].T, lam) for c in range(X.shape[2])], axis=1)


def _chebyshev_2d(X: NDArray[np.float64], lam: NDArray[np.float64]) -> NDArray[np.float64]:
    """2D chebyshev = cityblock / 2 in the rotated coordinates ``(x_1 + x_2, x_1 - x_2)``.

    The rotation acts on coordinates relative to each tuple's first point (rounding then scales
    with the tuple's size, not with the offset of the coordinates), and an input point is
    preferred to the rotated median when it is no worse (it is exact).
    """
    R = np.array([[1.0, 1.0], [1.0, -1.0]])
    ref = X[:, 0, :]
    y = ref + _median_point((X - ref[:, None, :]) @ R.T, lam) @ (0.5 * R).T
    chunk = max(1, _VERTEX_TEST_ENTRIES // (X.shape[1] ** 2 * 2))
    for s in range(0, X.shape[0], chunk):
        Xc, yc = X[s : s + chunk], y[s : s + chunk]
        at_inputs = norm(Xc[:, :, None, :] - Xc[:, None, :, :], "chebyshev", axis=3) @ lam  # (T, K)
        best = np.argmin(at_inputs, axis=1)
        rows = np.arange(Xc.shape[0])
        better = at_inputs[rows, best] <= norm(Xc - yc[:, None, :], "chebyshev", axis=2) @ lam
        yc[better] = Xc[rows[better], best[better]]
    return np.asarray(y)


def _vertex_optimal(X: NDArray[np.float64], lam: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """Euclidean vertex test: ``(T, K)`` slack ``W_j - |sum_{x_k != x_j} lambda_k u_kj|`` (>= 0: optimal)."""
    diff = X[:, None, :, :] - X[:, :, None, :]  # (T, j, k, d): x_k - x_j
    dist = np.linalg.norm(diff, axis=3)
    same = dist <= 1e-15 * max(scale, 1e-300)
    unit = np.where(same[..., None], 0.0, diff / np.where(same, 1.0, dist)[..., None])
    pull = np.linalg.norm(np.einsum("k,tjkd->tjd", lam, unit), axis=2)
    return np.asarray(same.astype(float) @ lam - pull)


def _euclidean_duals(X: NDArray[np.float64], y: NDArray[np.float64], lam: NDArray[np.float64],
                     scale: float) -> NDArray[np.float64]:
    """``w_k = lambda_k (x_k - y) / |x_k - y|``; at ``x_k = y`` a share of ``-sum`` of the others."""
    diff = X - y[:, None, :]
    dist = np.linalg.norm(diff, axis=2)
    at = dist <= 1e-15 * max(scale, 1e-300)
    w = lam[None, :, None] * np.where(at[..., None], 0.0, diff / np.where(at, 1.0, dist)[..., None])
    lam_at = at.astype(float) @ lam
    share = np.where(at, lam[None, :], 0.0) / np.where(lam_at > 0, lam_at, 1.0)[:, None]
    return np.asarray(w - share[..., None] * np.sum(w, axis=1, keepdims=True))


def _objective(X: NDArray[np.float64], y: NDArray[np.float64],
               lam: NDArray[np.float64]) -> NDArray[np.float64]:
    """``sum_k lambda_k |y - x_k|`` for ``y`` of shape ``(..., T, d)``."""
    return np.asarray(np.linalg.norm(X - y[..., None, :], axis=-1) @ lam)


def _candidates(X: NDArray[np.float64], y: NDArray[np.float64], lam: NDArray[np.float64],
                scale: float) -> NDArray[np.float64]:
    """Next iterates to try, shape ``(C, T, d)``: Weiszfeld, damped Newton, radial, ``y``.

    With the sums over the inputs ``x_k != y`` only (``eta``: the weight of those at ``y``),
    ``d_k = |x_k - y|``, ``R = sum_k lambda_k (x_k - y) / d_k``:

    * Weiszfeld in Vardi–Zhang's form, which leaves an input point that is not optimal:
      ``(1 - min(1, eta/|R|)) W + min(1, eta/|R|) y``, ``W = sum_k (lambda_k/d_k) x_k / sum_k lambda_k/d_k``;
    * damped Newton ``y + a H^{-1} R`` with ``H = sum_k lambda_k (I - e_k e_k^T) / d_k`` (plus a tiny
      ridge), ``a = 1, 1/8, ..., 8^-8``;
    * radial ``x_j + a (y - x_j)`` towards the nearest input point ``x_j``, ``a = 1/8, ..., 8^-8``
      (an optimum very close to, but not at, an input point is reached in few rounds this way,
      where the curvature ``lambda_j / d_j`` makes Weiszfeld and Newton crawl).
    """
    diff = X - y[:, None, :]
    raw = np.linalg.norm(diff, axis=2)
    at = raw <= 1e-15 * max(scale, 1e-300)
    dist = np.where(at, 1.0, raw)
    inv = np.where(at, 0.0, lam[None, :] / dist)
    total = np.maximum(inv.sum(axis=1), 1e-300)
    e = diff / dist[..., None]
    pull = np.einsum("tk,tkd->td", np.where(at, 0.0, lam[None, :]), e)
    eta = at.astype(float) @ lam
    keep = np.minimum(1.0, eta / np.maximum(np.linalg.norm(pull, axis=1), 1e-300))[:, None]
    weiszfeld = (1.0 - keep) * np.einsum("tk,tkd->td", inv, X) / total[:, None] + keep * y
    eye = np.eye(X.shape[2])
    H = np.einsum("tk,tkde->tde", inv, eye[None, None] - e[..., :, None] * e[..., None, :])
    H = H + (1e-12 * np.trace(H, axis1=1, axis2=2) + 1e-300)[:, None, None] * eye
    step = np.linalg.solve(H, pull[..., None])[..., 0]
    alphas = 0.125 ** np.arange(9)
    newton = y[None] + alphas[:, None, None] * step[None]
    anchor = X[np.arange(X.shape[0]), np.argmin(raw, axis=1)]
    radial = anchor[None] + (y - anchor)[None] * alphas[1:, None, None]
    return np.concatenate([weiszfeld[None], newton, radial, y[None]], axis=0)


def _euclidean_lower(X: NDArray[np.float64], y: NDArray[np.float64], lam: NDArray[np.float64],
                     scale: float) -> NDArray[np.float64]:
    """Certified lower bound on the euclidean Fermat–Weber value from the unit vectors at ``y``."""
    return _certified_lower(_euclidean_duals(X, y, lam, scale), X, y, lam, "euclidean")


def _merit(X: NDArray[np.float64], cand: NDArray[np.float64], lam: NDArray[np.float64],
           by_gap: NDArray[np.bool_], scale: float) -> NDArray[np.float64]:
    """Merit ``(C, T)`` of candidates ``(C, T, d)``: the objective, or the certified gap where ``by_gap``."""
    merit = _objective(X[None], cand, lam)
    if np.any(by_gap):
        C, n = cand.shape[0], int(by_gap.sum())
        Xg = np.broadcast_to(X[by_gap][None], (C,) + X[by_gap].shape).reshape(C * n, *X.shape[1:])
        merit[:, by_gap] -= _euclidean_lower(Xg, cand[:, by_gap].reshape(C * n, -1), lam, scale).reshape(C, n)
    return merit


def _refine_euclidean(X: NDArray[np.float64], lam: NDArray[np.float64], y: NDArray[np.float64], tol: float,
                      scale: float) -> NDArray[np.float64]:
    """Improve ``y`` by the candidates of :func:`_candidates` until the certified gap is at most
    ``tol`` or :data:`WEISZFELD_MAX_ITER` rounds.

    The merit is the objective while the certified gap exceeds ``_SWITCH_RTOL`` times the
    objective, then the
    certified gap itself (objective differences drown in rounding near the optimum, the gap,
    driven by the residual gradient, does not). In the gap phase a full Newton step that cuts the
    gap tenfold is taken without evaluating the other candidates. The current point is a
    candidate, so the merit never increases.
    """
    y = y.copy()
    todo = np.arange(X.shape[0])
    for _ in range(WEISZFELD_MAX_ITER):
        Xt, yt = X[todo], y[todo]
        value = _objective(Xt, yt, lam)
        gap = value - _euclidean_lower(Xt, yt, lam, scale)
        keep = gap > tol
        todo, Xt, yt, gap, value = todo[keep], Xt[keep], yt[keep], gap[keep], value[keep]
        if todo.size == 0:
            break
        by_gap = gap <= _SWITCH_RTOL * value
        cand = _candidates(Xt, yt, lam, scale)
        choice = np.ones(todo.size, dtype=np.intp)  # the full Newton step ...
        rest = np.ones(todo.size, dtype=bool)
        if np.any(by_gap):  # ... is kept without looking further where it cuts the gap tenfold
            everywhere = np.ones(int(by_gap.sum()), dtype=bool)
            newton_gap = _merit(Xt[by_gap], cand[1:2, by_gap], lam, everywhere, scale)[0]
            rest[by_gap] = newton_gap > 0.1 * gap[by_gap]
        if np.any(rest):
            choice[rest] = np.argmin(_merit(Xt[rest], cand[:, rest], lam, by_gap[rest], scale), axis=0)
        y[todo] = cand[choice, np.arange(todo.size)]
    return y


def _euclidean_point(X: NDArray[np.float64], lam: NDArray[np.float64], tol: float,
                     scale: float) -> NDArray[np.float64]:
    """Vertex test on every tuple, then :func:`_refine_euclidean` on the others."""
    T, K, d = X.shape
    chunk = max(1, _VERTEX_TEST_ENTRIES // (K * K * d))
    slack = np.concatenate([_vertex_optimal(X[s : s + chunk], lam, scale) for s in range(0, T, chunk)])
    best = np.argmax(slack, axis=1)
    at_vertex = slack[np.arange(X.shape[0]), best] >= 0
    y = np.where(at_vertex[:, None], X[np.arange(X.shape[0]), best], np.einsum("k,tkd->td", lam, X))
    free = ~at_vertex
    if np.any(free):
        y[free] = _refine_euclidean(X[free], lam, y[free], tol, scale)
    return y


def _chebyshev_lp_batch(X: NDArray[np.float64], lam: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                                                  NDArray[np.float64]]:
    """Chebyshev Fermat–Weber points of a batch by one block-diagonal LP; returns ``(y, w)``.

    Per tuple: ``min sum_k lambda_k t_k`` s.t. ``+-(y_c - x_kc) <= t_k``; variables
    ``(y (d, free), t (K, >= 0))``. The duals ``p, q <= 0`` of the two row families give
    ``w_k = p_k - q_k`` with ``||w_k||_1 <= lambda_k`` and ``sum_k w_k = 0``.
    """
    T, K, d = X.shape
    nv = d + K
    # rows (t, k, c, sign): sign * y_c - t_k <= sign * x_kc
    t_idx, k_idx, c_idx, s_idx = np.meshgrid(np.arange(T), np.arange(K), np.arange(d), [0, 1], indexing="ij")
    sign = np.where(s_idx == 0, 1.0, -1.0).ravel()
    rows = np.arange(sign.size)
    base = (t_idx * nv).ravel()
    cols = np.concatenate([base + c_idx.ravel(), base + d + k_idx.ravel()])
    vals = np.concatenate([sign, -np.ones(sign.size)])
    A = sp.csr_matrix((vals, (np.concatenate([rows, rows]), cols)), shape=(sign.size, T * nv))
    rhs = sign * X[t_idx.ravel(), k_idx.ravel(), c_idx.ravel()]
    c = np.tile(np.concatenate([np.zeros(d), lam]), T)
    lower = np.tile(np.concatenate([np.full(d, -np.inf), np.zeros(K)]), T)
    sol = solve_lp(c, None, None, lower, A_ub=A, b_ub=rhs, what="chebyshev Fermat-Weber LP")
    y = sol.x.reshape(T, nv)[:, :d]
    duals = sol.row_duals.reshape(T, K, d, 2)
    return y, duals[..., 0] - duals[..., 1]


def _chebyshev_lp(X: NDArray[np.float64], lam: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                                            NDArray[np.float64]]:
    """Batches of :func:`_chebyshev_lp_batch` on coordinates centred and scaled to unit diameter."""
    flat = X.reshape(-1, X.shape[2])
    centre, unit = flat.mean(axis=0), unit_length(flat)
    Xn = (X - centre) / unit
    batch = max(1, _LP_BATCH_VARIABLES // (X.shape[1] + X.shape[2]))
    parts = [_chebyshev_lp_batch(Xn[s : s + batch], lam) for s in range(0, X.shape[0], batch)]
    y = centre + unit * np.concatenate([p[0] for p in parts])
    return y, np.concatenate([p[1] for p in parts])


def fermat_weber(
    X: NDArray[np.float64], lam: NDArray[np.float64], metric: str, scale: float = 1.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted Fermat–Weber points ``argmin_y sum_k lambda_k d(y, x_k)`` of many tuples.

    The iterative and LP paths work on coordinates relative to each tuple's first point, so
    their rounding scales with the tuple's size rather than with the coordinates' offset; a
    point that coincides with an input point is returned as that input point, exactly.

    Parameters
    ----------
    X : ndarray, shape (T, K, d)
        ``T`` tuples of ``K`` points.
    lam : ndarray, shape (K,)
        Non-negative weights summing to one.
    metric : {"cityblock", "chebyshev", "euclidean"}
    scale : float
        Length scale of the points (the euclidean stopping rule is ``FERMAT_WEBER_RTOL * scale``).

    Returns
    -------
    y : ndarray, shape (T, d)
        The points.
    value : ndarray, shape (T,)
        ``sum_k lambda_k d(y, x_k)`` (evaluated in the relative coordinates).
    lower : ndarray, shape (T,)
        Certified lower bounds on ``min_y sum_k lambda_k d(y, x_k)`` (equal to ``value`` for
        the exact medians).
    """
    d = X.shape[2]
    ref = X[:, 0, :]
    Xr = X - ref[:, None, :]  # iterate on coordinates relative to each tuple (rounding ~ tuple size)
    approx_duals = None
    if metric == "cityblock" or d == 1:
        y = _median_point(X, lam)
    elif metric == "chebyshev" and d == 2:
        y = _chebyshev_2d(X, lam)
    else:
        if metric == "chebyshev":
            yr, approx_duals = _chebyshev_lp(Xr, lam)
        else:
            yr = _euclidean_point(Xr, lam, FERMAT_WEBER_RTOL * scale, scale)
            approx_duals = _euclidean_duals(Xr, yr, lam, scale)
        y = ref + yr
        at_input = np.all(yr[:, None, :] == Xr, axis=2)  # keep input points exact
        rows, cols = np.nonzero(at_input)
        y[rows, :] = X[rows, cols]
    yr = y - ref
    value = norm(Xr - yr[:, None, :], metric, axis=2) @ lam
    lower = value if approx_duals is None else _certified_lower(approx_duals, Xr, yr, lam, metric)
    return y, np.asarray(value), np.minimum(value, lower)


def _tuples(sizes: Sequence[int]) -> NDArray[np.intp]:
    """All index tuples of the product of ``range(n_k)``, shape ``(prod n_k, K)``, C order."""
    return np.stack(np.unravel_index(np.arange(int(np.prod(sizes))), tuple(sizes)), axis=1)


def _multimarginal_lp(
    idx: NDArray[np.intp],
    sizes: Sequence[int],
    cost: NDArray[np.float64],
    masses: Sequence[NDArray[np.float64]],
) -> tuple[NDArray[np.float64], list[NDArray[np.float64]]]:
    """Solve ``min <c, gamma>`` with marginals ``nu_k``; return ``gamma`` and the row duals ``u_k``."""
    T, K = idx.shape
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    A = sp.csc_matrix(
        (np.ones(T * K), (idx + offsets).ravel(), np.arange(0, T * K + 1, K)), shape=(int(sum(sizes)), T)
    )
    sol = solve_lp(cost, A, np.concatenate(list(masses)), what="multi-marginal LP")
    return np.clip(sol.x, 0.0, None), np.split(sol.row_duals, np.cumsum(sizes)[:-1])


def _push_forward(y: NDArray[np.float64], gamma: NDArray[np.float64]) -> Measure:
    """``sum_t gamma_t delta_{y_t}`` with coincident atoms merged."""
    keep = gamma > 0
    pts, inverse = np.unique(y[keep], axis=0, return_inverse=True)
    return Measure(pts, np.bincount(inverse.ravel(), weights=gamma[keep]), normalize=True)


def barycenter_free(measures: Sequence[Measure], lam: NDArray[np.float64], metric: str) -> BarycenterResult:
    """Exact W1 barycenter over all probability measures, by the multi-marginal LP.

    Solves (HiGHS) ``min_gamma sum_t gamma_t c(t)`` over couplings of ``nu_1..nu_K`` on the
    ``T = n_1 ... n_K`` tuples ``t = (x_1..x_K)`` with ``c(t) = min_y sum_k lambda_k d(y, x_k)``
    (see the module docstring for how each metric's Fermat–Weber point is found) and returns
    the push-forward of ``gamma`` by the Fermat–Weber map, coincident atoms merged.

    Parameters
    ----------
    measures : sequence of Measure
        Inputs ``nu_k`` (point clouds; grid measures are read as their atoms).
    lam : ndarray, shape (K,)
        Weights, non-negative and summing to one.
    metric : {"cityblock", "chebyshev", "euclidean"}

    Returns
    -------
    BarycenterResult
        ``cost = sum_k lambda_k W1(mu, nu_k)`` recomputed by :func:`w1_points`;
        ``lower_bound``: the multi-marginal dual value ``sum_k <u_k, nu_k>``, shifted to be
        exactly feasible (valid over all measures); ``potentials``: the ``lambda_k``-Lipschitz
        ``g_k(z) = min_{x in supp nu_k} lambda_k d(z, x) - u_k(x)``, whose sum is ``>= 0``
        everywhere; ``info["support"] = "free"``.

    Raises
    ------
    SizeLimitError
        More than :data:`MAX_TUPLES` tuples (:data:`MAX_TUPLES_CHEBYSHEV_LP` for chebyshev in
        3D and above).
    NotOptimalError
        HiGHS does not report optimal, or cost and lower bound differ by more than
        :data:`~otbary.certificates.GAP_RTOL` relative.
    """
    w = np.asarray(lam, dtype=float)
    inputs = [positive_atoms(m) for m in measures]
    sizes = [b.size for _, b in inputs]
    T = int(np.prod(np.array(sizes, dtype=float)))
    limit, name = (
        (MAX_TUPLES_CHEBYSHEV_LP, "MAX_TUPLES_CHEBYSHEV_LP")
        if metric == "chebyshev" and measures[0].dim >= 3
        else (MAX_TUPLES, "MAX_TUPLES")
    )
    if T > limit:
        raise SizeLimitError(
            f"barycenter_free: the multi-marginal LP would have {' x '.join(map(str, sizes))} = {T} tuples "
            f"(atoms of positive mass per input), beyond {name} = {limit}; "
            "use a fixed support (support=None or points) instead"
        )
    idx = _tuples(sizes)
    X = np.stack([x[idx[:, k]] for k, (x, _) in enumerate(inputs)], axis=1)
    scale = problem_scale(np.vstack([x for x, _ in inputs]))
    y, value, low = fermat_weber(X, w, metric, scale)
    unit = unit_length(np.vstack([x for x, _ in inputs]))
    gamma, u_unit = _multimarginal_lp(idx, sizes, value / unit, [b for _, b in inputs])
    u = [unit * uk for uk in u_unit]
    delta = max(0.0, float(np.max(sum(uk[idx[:, k]] for k, uk in enumerate(u)) - low)))
    u[0] = u[0] - delta
    lower = float(sum(uk @ b for uk, (_, b) in zip(u, inputs, strict=True)))
    mu = _push_forward(y, gamma)
    costs = np.array([w1_points(mu, nu, metric).cost for nu in measures])
    cost = float(w @ costs)
    check_gap(cost, lower, scale, "free-support barycenter")
    potentials = [
        Potential(x, c_transform(x, uk, x, metric, float(lk)), metric, lipschitz=float(lk))
        for (x, _), uk, lk in zip(inputs, u, w, strict=True)
    ]
    return BarycenterResult(
        measure=mu,
        cost=cost,
        lower_bound=lower,
        weights=w,
        method="exact",
        metric=metric,
        costs=costs,
        potentials=potentials,
        info={"support": "free", "path": "multi-marginal LP", "n_tuples": T, "sizes": sizes,
              "dual_shift": delta, "max_fermat_weber_gap": float(np.max(value - low))},
    )
