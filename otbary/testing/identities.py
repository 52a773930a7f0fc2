r"""Checkers for the identities every Wasserstein-1 solver must satisfy.

Each ``check_*`` function raises ``AssertionError`` with a message that names the identity,
the two sides and the tolerance; it returns ``None`` when the identity holds. They take
the solver as a callable ``w1(mu, nu, metric) -> float`` (``otbary.w1`` or any other
implementation), so they can test *any* W1 solver, not only otbary's.

Tolerances: ``|lhs - rhs| <= atol + rtol * scale`` where ``scale`` is the size of the
quantities compared. The defaults suit exact (LP or closed-form) solvers.

The measure operations they rely on -- :func:`translate`, :func:`scale`, :func:`mixture`,
:func:`shift_on_grid` -- and the independent references :func:`cdf_w1` (1D) and
:func:`mcshane` are public as well.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist

from ..geometry import Grid, norm
from ..measures import Measure

__all__ = [
    "BarycenterSolver",
    "Interpolator",
    "W1Solver",
    "check_barycenter_solver",
    "check_certify_result",
    "check_interpolation",
    "cdf_w1",
    "check_1d_formula",
    "check_barycenter_bounds",
    "check_certificate",
    "check_known_optimum",
    "check_metric_axioms",
    "check_mixture_geodesic",
    "check_scaling",
    "check_translation",
    "lipschitz_violation",
    "mcshane",
    "mixture",
    "scale",
    "shift_on_grid",
    "translate",
]

ATOL = 1e-9
RTOL = 1e-7


class W1Solver(Protocol):
    """A W1 solver: ``w1(mu, nu, metric) -> float``."""

    def __call__(self, mu: Measure, nu: Measure, metric: str) -> float: ...


def _close(lhs: float, rhs: float, atol: float, rtol: float) -> bool:
    return bool(abs(lhs - rhs) <= atol + rtol * max(abs(lhs), abs(rhs)))


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(message)


def _finite(value: float, what: str) -> float:
    v = float(value)
    _require(bool(np.isfinite(v)), f"{what} is not finite: {v!r}")
    return v


# --------------------------------------------------------------------------------------
# Measure operations and independent references
# --------------------------------------------------------------------------------------


def translate(mu: Measure, shift: ArrayLike) -> Measure:
    """Push-forward of ``mu`` by ``x -> x + a``; a grid measure stays on the shifted grid."""
    a = np.broadcast_to(np.asarray(shift, dtype=float), (mu.dim,))
    if mu.grid is not None:
        g = mu.grid
        return Measure.on_grid(Grid(g.shape, g.spacing, (np.asarray(g.origin) + a).tolist()), mu.weights)
    return Measure(mu.points + a, mu.weights)


def scale(mu: Measure, s: float) -> Measure:
    """Push-forward of ``mu`` by ``x -> s x``; for ``s > 0`` a grid measure stays on a grid."""
    s = float(s)
    if mu.grid is not None and s > 0:
        g = mu.grid
        grid = Grid(g.shape, (np.asarray(g.spacing) * s).tolist(), (np.asarray(g.origin) * s).tolist())
        return Measure.on_grid(grid, mu.weights)
    return Measure(mu.points * s, mu.weights)


def mixture(mu: Measure, nu: Measure, t: float) -> Measure:
    """``(1 - t) mu + t nu``; on the common grid when both measures share one."""
    t = float(t)
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must lie in [0, 1]; got {t}")
    if mu.grid is not None and mu.grid == nu.grid:
        values = (1.0 - t) * mu.weights + t * nu.weights
        return Measure.on_grid(mu.grid, values / values.sum())
    pts = np.concatenate([mu.points, nu.points])
    w = np.concatenate([(1.0 - t) * mu.weights, t * nu.weights])
    return Measure(pts, w / w.sum())


def shift_on_grid(mu: Measure, steps: Sequence[int]) -> Measure:
    """Move a grid histogram by whole grid steps, on the same grid.

    Raises ``ValueError`` if some mass would leave the grid. The result is ``mu``
    translated by ``steps * spacing``.
    """
    if mu.grid is None:
        raise ValueError("shift_on_grid needs a grid measure")
    g = mu.grid
    st = [int(s) for s in steps]
    if len(st) != g.ndim:
        raise ValueError(f"steps must have {g.ndim} entries")
    values = mu.values()
    out = np.zeros_like(values)
    src: list[slice] = []
    dst: list[slice] = []
    for n, s in zip(g.shape, st, strict=True):
        if abs(s) >= n:
            raise ValueError("the shift moves all mass off the grid")
        src.append(slice(max(0, -s), min(n, n - s)))
        dst.append(slice(max(0, s), min(n, n + s)))
    moved = values[tuple(src)]
    if np.count_nonzero(moved) != np.count_nonzero(values):
        raise ValueError("the shift moves some mass off the grid")
    out[tuple(dst)] = moved
    return Measure.on_grid(g, out)


def cdf_w1(mu: Measure, nu: Measure) -> float:
    r"""1D reference: :math:`W_1(\mu, \nu) = \int_{\mathbb R} |F_\mu(x) - F_\nu(x)|\, dx`.

    Computed from the merged sorted atoms; independent of otbary's solvers.
    """
    if mu.dim != 1 or nu.dim != 1:
        raise ValueError("cdf_w1 needs 1D measures")
    x = np.concatenate([mu.points[:, 0], nu.points[:, 0]])
    m = np.concatenate([mu.weights, -nu.weights])
    order = np.argsort(x, kind="stable")
    x, m = x[order], m[order]
    diff = np.cumsum(m)[:-1]
    return float(np.sum(np.abs(diff) * np.diff(x)))


def mcshane(
    points: ArrayLike, values: ArrayLike, x: ArrayLike, metric: str, lipschitz: float = 1.0
) -> NDArray[np.float64]:
    """McShane extension ``f(x) = min_j values_j + L d(x, p_j)``, computed directly."""
    p = np.atleast_2d(np.asarray(points, dtype=float))
    v = np.asarray(values, dtype=float).ravel()
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    out = np.empty(xa.shape[0])
    for s in range(0, xa.shape[0], 1024):
        d = cdist(xa[s : s + 1024], p, metric=metric)
        out[s : s + 1024] = np.min(v[None, :] + lipschitz * d, axis=1)
    return out


def lipschitz_violation(points: ArrayLike, values: ArrayLike, metric: str, lipschitz: float = 1.0) -> float:
    """``max_{i,j} (f_i - f_j) / d(p_i, p_j) - L`` over distinct points, by brute force.

    ``<= 0`` exactly when ``f`` is ``L``-Lipschitz on the points (``-inf`` for a single point).
    Coinciding points must carry equal values (else ``+inf``).
    """
    p = np.atleast_2d(np.asarray(points, dtype=float))
    v = np.asarray(values, dtype=float).ravel()
    worst = -np.inf
    for s in range(0, p.shape[0], 1024):
        d = cdist(p[s : s + 1024], p, metric=metric)
        df = v[s : s + 1024, None] - v[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(d > 0, df / np.where(d > 0, d, 1.0), np.where(df > 0, np.inf, -np.inf))
        worst = max(worst, float(np.max(ratio)))
    return worst - lipschitz


# --------------------------------------------------------------------------------------
# Checkers
# --------------------------------------------------------------------------------------


def check_metric_axioms(
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    rho: Measure,
    metric: str,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Metric axioms of :math:`W_1` on three measures.

    .. math::

        W_1(\mu, \mu) = 0, \quad W_1(\mu, \nu) \ge 0, \quad W_1(\mu, \nu) = W_1(\nu, \mu),
        \quad W_1(\mu, \rho) \le W_1(\mu, \nu) + W_1(\nu, \rho).
    """
    d_mm = _finite(w1(mu, mu, metric), "W1(mu, mu)")
    d_mn = _finite(w1(mu, nu, metric), "W1(mu, nu)")
    d_nm = _finite(w1(nu, mu, metric), "W1(nu, mu)")
    d_nr = _finite(w1(nu, rho, metric), "W1(nu, rho)")
    d_mr = _finite(w1(mu, rho, metric), "W1(mu, rho)")
    _require(abs(d_mm) <= atol, f"identity: W1(mu, mu) = {d_mm!r}, expected 0 (atol {atol:g}) [{metric}]")
    _require(d_mn >= -atol, f"non-negativity: W1(mu, nu) = {d_mn!r} < 0 [{metric}]")
    _require(
        _close(d_mn, d_nm, atol, rtol),
        f"symmetry: W1(mu, nu) = {d_mn!r} but W1(nu, mu) = {d_nm!r} [{metric}]",
    )
    bound = d_mn + d_nr
    _require(
        d_mr <= bound + atol + rtol * bound,
        f"triangle inequality: W1(mu, rho) = {d_mr!r} > W1(mu, nu) + W1(nu, rho) = {bound!r} [{metric}]",
    )


def check_certificate(
    result: Any,
    mu: Measure,
    nu: Measure,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
    require_optimal: bool = True,
) -> None:
    r"""Kantorovich--Rubinstein certificate of a W1 result (theory fact 1).

    With ``f = result.potential`` (values on points, metric, Lipschitz constant ``L``):

    .. math::

        L \le 1, \qquad |f(p_i) - f(p_j)| \le L\, d(p_i, p_j), \qquad
        \langle \bar f, \mu - \nu \rangle = \text{lower\_bound} \le \text{cost},

    where ``\bar f`` is the McShane extension of ``f``, evaluated here independently. With
    ``require_optimal``, also ``cost - lower_bound <= atol + rtol * cost`` and
    ``status == "optimal"``.
    """
    cost = _finite(result.cost, "cost")
    lb = _finite(result.lower_bound, "lower_bound")
    pot = result.potential
    _require(pot is not None, "the result has no potential")
    lip = float(pot.lipschitz)
    _require(lip <= 1.0 + rtol, f"potential Lipschitz constant {lip!r} > 1")
    _require(bool(np.all(np.isfinite(pot.values))), "potential has non-finite values")
    viol = lipschitz_violation(pot.points, pot.values, pot.metric, lip)
    _require(viol <= rtol + atol, f"potential is not {lip:g}-Lipschitz: slope exceeds it by {viol!r}")
    res_metric = getattr(result, "metric", pot.metric)
    _require(pot.metric == res_metric, f"potential metric {pot.metric!r} != result metric {res_metric!r}")
    f_mu = mcshane(pot.points, pot.values, mu.points, pot.metric, lip)
    f_nu = mcshane(pot.points, pot.values, nu.points, pot.metric, lip)
    value = float(f_mu @ mu.weights - f_nu @ nu.weights)
    scale_ = max(1.0, float(np.max(np.abs(pot.values))))
    _require(
        abs(value - lb) <= atol * scale_ + rtol * max(abs(value), abs(lb)),
        f"<f, mu - nu> = {value!r} does not reproduce lower_bound = {lb!r}",
    )
    _require(lb <= cost + atol + rtol * abs(cost), f"lower_bound {lb!r} > cost {cost!r}")
    if require_optimal:
        _require(
            cost - lb <= atol + rtol * abs(cost), f"gap cost - lower_bound = {cost - lb!r} (cost {cost!r})"
        )
        status = getattr(result, "status", "optimal")
        _require(status == "optimal", f"status is {status!r}, expected 'optimal'")


def check_1d_formula(
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    metrics: Sequence[str] = ("cityblock", "chebyshev", "euclidean"),
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""1D closed form (theory fact 4), for every metric (they coincide on the line).

    .. math:: W_1(\mu, \nu) = \int_{\mathbb R} |F_\mu(x) - F_\nu(x)|\, dx.
    """
    ref = cdf_w1(mu, nu)
    for metric in metrics:
        got = _finite(w1(mu, nu, metric), f"W1 [{metric}]")
        _require(_close(got, ref, atol, rtol), f"1D formula: W1 = {got!r}, int |F - G| = {ref!r} [{metric}]")


def check_translation(
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    shift: ArrayLike,
    metric: str,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Translation invariance and equivariance.

    .. math::

        W_1(\mu + a, \nu + a) = W_1(\mu, \nu), \qquad W_1(\mu, \mu + a) = \|a\|

    (``||.||`` the metric's norm; ``mu + a`` the push-forward by ``x -> x + a``).
    """
    a = np.broadcast_to(np.asarray(shift, dtype=float), (mu.dim,))
    base = _finite(w1(mu, nu, metric), "W1(mu, nu)")
    moved = _finite(w1(translate(mu, a), translate(nu, a), metric), "W1(mu + a, nu + a)")
    mag = max(float(np.max(np.abs(mu.points))), float(np.max(np.abs(nu.points))), float(np.max(np.abs(a))))
    _require(
        _close(base, moved, atol + rtol * mag, rtol),
        f"translation invariance: W1(mu, nu) = {base!r}, W1(mu + a, nu + a) = {moved!r}, a = {a.tolist()} "
        f"[{metric}]",
    )
    expected = float(norm(a, metric))
    got = _finite(w1(mu, translate(mu, a), metric), "W1(mu, mu + a)")
    _require(
        _close(got, expected, atol + rtol * mag, rtol),
        f"translation: W1(mu, mu + a) = {got!r}, ||a|| = {expected!r}, a = {a.tolist()} [{metric}]",
    )


def check_scaling(
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    s: float,
    metric: str,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Homogeneity under dilation ``x -> s x``.

    .. math:: W_1(s_\# \mu, s_\# \nu) = |s|\, W_1(\mu, \nu).
    """
    base = _finite(w1(mu, nu, metric), "W1(mu, nu)")
    got = _finite(w1(scale(mu, s), scale(nu, s), metric), "W1(s mu, s nu)")
    expected = abs(float(s)) * base
    _require(
        _close(got, expected, atol * max(1.0, abs(float(s))), rtol),
        f"scaling: W1(s mu, s nu) = {got!r}, |s| W1(mu, nu) = {expected!r}, s = {s!r} [{metric}]",
    )


def check_mixture_geodesic(
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    t: float,
    metric: str,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Mixtures lie on a geodesic (theory fact 5): with ``m_t = (1 - t) mu + t nu``,

    .. math:: W_1(m_t, \nu) = (1 - t)\, W_1(\mu, \nu), \qquad W_1(\mu, m_t) = t\, W_1(\mu, \nu).
    """
    d = _finite(w1(mu, nu, metric), "W1(mu, nu)")
    m = mixture(mu, nu, t)
    to_nu = _finite(w1(m, nu, metric), "W1(m_t, nu)")
    from_mu = _finite(w1(mu, m, metric), "W1(mu, m_t)")
    _require(
        _close(to_nu, (1.0 - t) * d, atol, rtol),
        f"mixture: W1(m_t, nu) = {to_nu!r}, (1 - t) W1(mu, nu) = {(1.0 - t) * d!r}, t = {t!r} [{metric}]",
    )
    _require(
        _close(from_mu, t * d, atol, rtol),
        f"mixture: W1(mu, m_t) = {from_mu!r}, t W1(mu, nu) = {t * d!r}, t = {t!r} [{metric}]",
    )


def _objective(
    w1: W1Solver, candidate: Measure, measures: Sequence[Measure], lam: NDArray[np.float64], metric: str
) -> float:
    return float(
        sum(
            lk * _finite(w1(candidate, nk, metric), "W1(candidate, nu_k)")
            for lk, nk in zip(lam, measures, strict=True)
            if lk > 0
        )
    )


def check_barycenter_bounds(
    result: Any,
    measures: Sequence[Measure],
    weights: Optional[ArrayLike],
    metric: str,
    w1: W1Solver,
    *,
    candidates: Sequence[Measure] = (),
    inputs_are_candidates: bool = True,
    require_optimal: bool = True,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Optimality bounds of a barycenter result ``(mu*, cost, lower_bound)``.

    With ``J(mu) = sum_k lambda_k W1(mu, nu_k)`` evaluated by the independent solver ``w1``:

    .. math::

        \text{cost} = J(\mu^*), \qquad \text{lower\_bound} \le \text{cost}, \qquad
        \text{lower\_bound} \le J(c) \text{ for every candidate } c,

    and, when the inputs lie in the searched support (``inputs_are_candidates``),
    ``cost <= J(nu_j) = sum_k lambda_k W1(nu_j, nu_k)`` for every ``j`` (checked whatever the
    solver's gap when ``require_optimal``; the lower bound side always). With
    ``require_optimal``, also ``cost - lower_bound <= atol + rtol * cost``.
    Candidates must lie in the support the solver searched.
    """
    k = len(measures)
    lam = np.asarray(weights, dtype=float) if weights is not None else np.full(k, 1.0 / k)
    cost = _finite(result.cost, "cost")
    lb = _finite(result.lower_bound, "lower_bound")
    mu_star = result.measure
    _require(isinstance(mu_star, Measure), f"result.measure is {type(mu_star).__name__}, not a Measure")
    total = float(np.sum(mu_star.weights))
    _require(
        abs(total - 1.0) <= 1e-8 and bool(np.all(mu_star.weights >= 0)),
        f"result.measure is not a probability measure (total mass {total!r})",
    )
    _require(
        bool(np.allclose(np.asarray(result.weights, dtype=float), lam, atol=1e-12, rtol=0)),
        f"result.weights {np.asarray(result.weights).tolist()} != weights {lam.tolist()}",
    )
    j_star = _objective(w1, mu_star, measures, lam, metric)
    _require(
        _close(cost, j_star, atol, rtol),
        f"cost = {cost!r} but sum_k lambda_k W1(measure, nu_k) = {j_star!r} [{metric}]",
    )
    _require(lb <= cost + atol + rtol * abs(cost), f"lower_bound {lb!r} > cost {cost!r} [{metric}]")
    cands = list(candidates) + (list(measures) if inputs_are_candidates else [])
    for i, c in enumerate(cands):
        jc = _objective(w1, c, measures, lam, metric)
        _require(
            lb <= jc + atol + rtol * abs(jc),
            f"lower_bound {lb!r} > J(candidate {i}) = {jc!r}: the bound is not valid [{metric}]",
        )
        if require_optimal:
            _require(
                cost <= jc + atol + rtol * abs(jc),
                f"cost {cost!r} > J(candidate {i}) = {jc!r}: not optimal [{metric}]",
            )
    if require_optimal:
        _require(
            cost - lb <= atol + rtol * abs(cost), f"gap cost - lower_bound = {cost - lb!r} (cost {cost!r})"
        )


def check_known_optimum(
    result: Any,
    optimum: float,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""A barycenter result against a known optimal value ``J*``.

    .. math:: \text{lower\_bound} \le J^* \le \text{cost}, \qquad \text{cost} - J^* \le \text{tol}.
    """
    cost = _finite(result.cost, "cost")
    lb = _finite(result.lower_bound, "lower_bound")
    tol = atol + rtol * abs(optimum)
    _require(lb <= optimum + tol, f"lower_bound {lb!r} exceeds the known optimum {optimum!r}")
    _require(cost >= optimum - tol, f"cost {cost!r} is below the known optimum {optimum!r}: impossible")
    _require(
        cost <= optimum + tol, f"cost {cost!r} exceeds the known optimum {optimum!r} by {cost - optimum!r}"
    )


class Interpolator(Protocol):
    """A displacement interpolation: ``interpolate(mu, nu, t, metric) -> Measure``."""

    def __call__(self, mu: Measure, nu: Measure, t: float, metric: str) -> Measure: ...


class BarycenterSolver(Protocol):
    """A barycenter solver: ``barycenter(measures, weights, metric) -> Measure``."""

    def __call__(self, measures: list[Measure], weights: NDArray[np.float64], metric: str) -> Measure: ...


def check_interpolation(
    interpolate: Interpolator,
    w1: W1Solver,
    mu: Measure,
    nu: Measure,
    t: float,
    metric: str,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""Geodesic identities of a displacement interpolation (theory fact 7).

    With ``mu_t = interpolate(mu, nu, t, metric)`` and a norm metric:

    .. math::

        W_1(\mu, \mu_t) = t\, W_1(\mu, \nu), \qquad W_1(\mu_t, \nu) = (1 - t)\, W_1(\mu, \nu),

    and ``mu_t`` is a probability measure of the dimension of ``mu``.
    """
    m = interpolate(mu, nu, t, metric)
    _require(isinstance(m, Measure), f"interpolate returned {type(m).__name__}, not a Measure")
    _require(m.dim == mu.dim, f"interpolate returned dimension {m.dim}, expected {mu.dim}")
    total = float(np.sum(m.weights))
    _require(abs(total - 1.0) <= 1e-8, f"interpolate returned total mass {total!r}")
    d = _finite(w1(mu, nu, metric), "W1(mu, nu)")
    from_mu = _finite(w1(mu, m, metric), "W1(mu, mu_t)")
    to_nu = _finite(w1(m, nu, metric), "W1(mu_t, nu)")
    _require(
        _close(from_mu, t * d, atol, rtol),
        f"geodesic: W1(mu, mu_t) = {from_mu!r}, t W1(mu, nu) = {t * d!r}, t = {t!r} [{metric}]",
    )
    _require(
        _close(to_nu, (1.0 - t) * d, atol, rtol),
        f"geodesic: W1(mu_t, nu) = {to_nu!r}, (1 - t) W1(mu, nu) = {(1.0 - t) * d!r}, t = {t!r} [{metric}]",
    )


def check_barycenter_solver(
    barycenter: BarycenterSolver,
    case: Any,
    w1: W1Solver,
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    r"""A user's barycenter solver on a problem with a known optimum.

    ``case`` is a :class:`~otbary.testing.strategies.KnownCase` (``measures``, ``weights``,
    ``metric``, ``optimum``, ``barycenter``, ``unique``). With ``mu = barycenter(measures,
    weights, metric)`` and ``J(mu) = sum_k lambda_k W1(mu, nu_k)`` evaluated by ``w1``:

    .. math::

        J(\mu) = J^*, \qquad W_1(\mu, \mu^*) = 0 \text{ when the optimum is unique}.

    A ``J(mu) < J*`` beyond the tolerance means that ``w1`` or the case is wrong.
    """
    lam = np.asarray(case.weights, dtype=float)
    mu = barycenter(list(case.measures), lam, case.metric)
    _require(isinstance(mu, Measure), f"the solver returned {type(mu).__name__}, not a Measure")
    _require(mu.dim == case.measures[0].dim, f"the solver returned dimension {mu.dim}")
    total = float(np.sum(mu.weights))
    _require(abs(total - 1.0) <= 1e-8, f"the solver returned total mass {total!r}")
    j = _objective(w1, mu, case.measures, lam, case.metric)
    tol = atol + rtol * max(1.0, abs(case.optimum))
    _require(j >= case.optimum - tol, f"J(solution) = {j!r} < the known optimum {case.optimum!r}: impossible")
    _require(
        j <= case.optimum + tol,
        f"J(solution) = {j!r} exceeds the known optimum {case.optimum!r} by {j - case.optimum!r} "
        f"[{case.metric}; {getattr(case, 'description', '')}]",
    )
    if case.unique:
        dist = _finite(w1(mu, case.barycenter, case.metric), "W1(solution, optimum)")
        _require(dist <= tol, f"the optimum is unique but W1(solution, optimum) = {dist!r}")


def check_certify_result(result: Any, *, atol: float = ATOL, rtol: float = RTOL) -> None:
    r"""Internal consistency of a :class:`~otbary.CertifyResult`.

    .. math::

        \text{lower\_bound} \le \text{optimum} \;(\text{exact}), \quad
        \text{gap} = \text{cost} - \text{optimum}, \quad \text{cost} = \sum_k \lambda_k\,\text{costs}_k
        \;(\text{exact}),

    ``relative_gap = gap / optimum`` (``gap`` when the optimum is 0), and for sample-based
    results ``interval[0] <= gap <= interval[1]``.
    """
    cost = _finite(result.cost, "cost")
    opt = _finite(result.optimum, "optimum")
    gap = _finite(result.gap, "gap")
    _require(_close(gap, cost - opt, atol, rtol), f"gap {gap!r} != cost - optimum = {cost - opt!r}")
    rel = _finite(result.relative_gap, "relative_gap")
    expected = gap / opt if opt > 0 else gap
    _require(_close(rel, expected, atol, rtol), f"relative_gap {rel!r} != {expected!r}")
    if result.interval is None:
        lb = _finite(result.lower_bound, "lower_bound")
        _require(lb <= opt + atol + rtol * abs(opt), f"lower_bound {lb!r} > optimum {opt!r}")
        lam = np.asarray(result.weights, dtype=float)
        total = float(lam @ np.asarray(result.costs, dtype=float))
        _require(_close(total, cost, atol, rtol), f"sum_k lambda_k costs_k = {total!r} != cost {cost!r}")
    else:
        lo, hi = (float(v) for v in result.interval)
        _require(lo <= gap + atol and gap <= hi + atol, f"gap {gap!r} outside its interval {(lo, hi)!r}")
