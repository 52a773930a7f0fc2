"""Closed forms on the line (theory fact 4).

On the real line every ground metric is ``|x - y|`` and

.. math::

    W_1(\\mu, \\nu) = \\int_{\\mathbb R} |F_\\mu(x) - F_\\nu(x)|\\,dx
                   = \\int_0^1 |Q_\\mu(u) - Q_\\nu(u)|\\,du ,

with ``F`` the cumulative distribution function and ``Q`` the quantile function. For
discrete measures both ``F`` are constant between consecutive atoms of the merged support
``x_0 < x_1 < ... < x_{N-1}``, so the integral is the finite sum
``sum_i (x_{i+1} - x_i) |F_mu(x_i) - F_nu(x_i)|`` after an ``O(n log n)`` sort.

The barycenter objective is ``int sum_k lambda_k |F(x) - F_k(x)| dx`` and is minimised
pointwise by a weighted median of the ``F_k(x)``; see :func:`barycenter_1d`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..certificates import check_gap, problem_scale
from ..measures import Measure
from ..potentials import Potential, barycenter_lower_bound, w1_lower_bound
from ..results import BarycenterResult, W1Result

__all__ = ["barycenter_1d", "cdf", "quantile_function", "w1_1d", "weighted_lower_median"]

#: Two CDF values closer than this are treated as equal when building the barycenter's
#: dual certificate (they differ only by the rounding of cumulative sums).
TIE_TOL = 1e-12


def _line_points(measure: Measure, name: str = "measure") -> NDArray[np.float64]:
    if measure.dim != 1:
        raise ValueError(f"{name} must be a measure on the line (dimension 1); got dimension {measure.dim}")
    return np.asarray(measure.points[:, 0])


def _sorted_cumulative(measure: Measure) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sorted atoms and the cumulative masses at them, the last one exactly ``1``."""
    x = _line_points(measure)
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(measure.weights[order])
    return x[order], cum / cum[-1]


def cdf(measure: Measure, at: ArrayLike) -> NDArray[np.float64]:
    """Cumulative distribution function ``F(t) = mu((-inf, t])`` of a measure on the line.

    Parameters
    ----------
    measure : Measure
        A measure of dimension 1.
    at : array_like, shape (m,)
        Where to evaluate ``F``.

    Returns
    -------
    ndarray, shape (m,)
        Right-continuous ``F``; exactly ``1`` from the last atom on.
    """
    xs, cum = _sorted_cumulative(measure)
    t = np.asarray(at, dtype=float).ravel()
    idx = np.searchsorted(xs, t, side="right")
    return np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0.0)


def quantile_function(measure: Measure, u: ArrayLike) -> NDArray[np.float64]:
    """Quantile function ``Q(u) = min {x : F(x) >= u}`` of a measure on the line.

    Parameters
    ----------
    measure : Measure
        A measure of dimension 1.
    u : array_like
        Levels in ``[0, 1]``; ``Q(0)`` is taken to be the smallest atom.

    Returns
    -------
    ndarray
        ``Q(u)``, left-continuous and non-decreasing, of the shape of ``u``.
    """
    xs, cum = _sorted_cumulative(measure)
    levels = np.asarray(u, dtype=float)
    if np.any((levels < 0) | (levels > 1)) or not np.all(np.isfinite(levels)):
        raise ValueError("u must hold levels in [0, 1]")
    idx = np.searchsorted(cum, levels, side="left")
    return xs[np.minimum(idx, xs.size - 1)]


def _merged_support(measures: Sequence[Measure]) -> NDArray[np.float64]:
    return np.unique(np.concatenate([_line_points(m, f"measures[{i}]") for i, m in enumerate(measures)]))


def _integrate_slopes(x: NDArray[np.float64], slopes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Values at ``x`` of the piecewise-linear function, zero at ``x_0``, with the given slopes.

    ``slopes`` has shape ``(..., N - 1)``: one slope per interval ``(x_i, x_{i+1})``.
    """
    steps = np.diff(x) * slopes
    zeros = np.zeros(steps.shape[:-1] + (1,))
    return np.concatenate([zeros, np.cumsum(steps, axis=-1)], axis=-1)


def w1_1d(mu: Measure, nu: Measure, metric: str) -> W1Result:
    """Exact ``W1`` on the line with its Kantorovich–Rubinstein certificate.

    .. math::

        W_1(\\mu, \\nu) = \\sum_{i=0}^{N-2} (x_{i+1} - x_i)\\, |F_\\mu(x_i) - F_\\nu(x_i)|

    over the merged sorted atoms ``x_0 < ... < x_{N-1}`` of both measures, in
    ``O(n log n)``. The certificate is the 1-Lipschitz ``f`` with ``f(x_0) = 0`` and slope
    ``sign(F_nu - F_mu)`` on each ``(x_i, x_{i+1})``; integrating by parts,
    ``<f, mu - nu> = -int f' (F_mu - F_nu) dx = int |F_mu - F_nu| dx``, so its lower bound
    equals the cost.

    Parameters
    ----------
    mu, nu : Measure
        Measures of dimension 1.
    metric : str
        Kept in the result; all three metrics are ``|x - y|`` on the line.

    Returns
    -------
    W1Result
        ``method="1d"``; ``potential`` lives on the merged atoms.

    Raises
    ------
    NotOptimalError
        Cost and lower bound disagree beyond :data:`~otbary.certificates.GAP_RTOL` (rounding
        trouble only).
    """
    x = _merged_support([mu, nu])
    diff = cdf(mu, x[:-1]) - cdf(nu, x[:-1])
    cost = float(np.sum(np.diff(x) * np.abs(diff)))
    f = _integrate_slopes(x, -np.sign(diff))
    f_mu = f[np.searchsorted(x, _line_points(mu))]
    f_nu = f[np.searchsorted(x, _line_points(nu))]
    lower = w1_lower_bound(f_mu, mu.weights, f_nu, nu.weights)
    check_gap(cost, lower, problem_scale(x), "W1 on the line")
    return W1Result(
        cost=cost,
        lower_bound=lower,
        potential=Potential(x[:, None], f, metric, 1.0),
        metric=metric,
        method="1d",
        info={"n_atoms": int(x.size)},
    )


def weighted_lower_median(values: ArrayLike, lam: ArrayLike) -> NDArray[np.float64]:
    """Lower weighted median of each column of ``values``.

    For a column ``(v_1, ..., v_K)`` it is the smallest ``v_j`` such that
    ``sum {lambda_k : v_k <= v_j} >= 1/2`` (up to a relative ``1e-12`` for rounding).

    Parameters
    ----------
    values : array_like, shape (K, N)
    lam : array_like, shape (K,)
        Non-negative weights summing to one.

    Returns
    -------
    ndarray, shape (N,)
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(lam, dtype=float)
    order = np.argsort(v, axis=0, kind="stable")
    cum = np.cumsum(w[order], axis=0)
    first = np.argmax(cum >= 0.5 * (1.0 - TIE_TOL), axis=0)
    return np.take_along_axis(v, order, axis=0)[first, np.arange(v.shape[1])]


def _median_slopes(
    F: NDArray[np.float64], Fb: NDArray[np.float64], lam: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Slopes ``t_k`` in ``[-1, 1]`` with ``sum_k lambda_k t_k = 0`` and ``t_k = sign(F_k - F)``.

    Where ``F_k`` ties with the median ``F`` the common slope ``-B / sum_tie lambda``
    balances ``B = sum_{non-tied} lambda_k sign(F_k - F)``; it lies in ``[-1, 1]`` because
    ``F`` is a weighted median (clipped only against rounding).
    """
    D = F - Fb[None, :]
    tie = np.abs(D) <= TIE_TOL
    t = np.where(tie, 0.0, np.sign(D))
    imbalance = lam @ t
    lam_tie = lam @ tie
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(lam_tie > 0, -imbalance / lam_tie, 0.0)
    return np.where(tie, np.clip(balance, -1.0, 1.0)[None, :], t)


def barycenter_1d(measures: Sequence[Measure], lam: NDArray[np.float64], metric: str) -> BarycenterResult:
    """Exact W1 barycenter on the line, optimal over all probability measures on the line.

    By theory fact 4 the objective is

    .. math::

        \\sum_k \\lambda_k W_1(\\mu, \\nu_k) = \\int_{\\mathbb R} \\sum_k \\lambda_k |F(x) - F_k(x)|\\,dx ,

    and for every ``x`` the integrand is minimised by any weighted median of the numbers
    ``F_1(x), ..., F_K(x)`` with weights ``lambda``. We take the **lower** weighted median
    (:func:`weighted_lower_median`): ``F(x)`` is the smallest ``F_j(x)`` with
    ``sum {lambda_k : F_k(x) <= F_j(x)} >= 1/2``. It is non-decreasing in ``x`` (a pointwise
    order-preserving function of CDFs), right-continuous, ``0`` before the first atom and
    ``1`` from the last, so it is a CDF; since it minimises the integrand pointwise it beats
    every measure on the line, not only those on the merged atoms, and as all ``F_k`` are
    constant between merged atoms, so is ``F``: the barycenter lives on the merged atoms.

    Certificate: slopes ``t_k(x) in [-1, 1]`` with ``t_k = sign(F_k - F)`` where they differ
    and ``sum_k lambda_k t_k = 0`` (possible exactly because ``F`` is a weighted median)
    define ``lambda_k``-Lipschitz ``g_k`` with ``g_k' = lambda_k t_k``. Their sum is constant,
    so theory fact 3's bound ``min_x sum_k g_k(x) - sum_k <g_k, nu_k>`` holds over all
    measures on the line and, integrating by parts, equals the cost.

    Parameters
    ----------
    measures : sequence of Measure
        Inputs ``nu_k`` of dimension 1.
    lam : ndarray, shape (K,)
        Weights, non-negative and summing to one (checked by the caller).
    metric : str
        Kept in the result.

    Returns
    -------
    BarycenterResult
        ``cost = sum_k lambda_k W1(mu, nu_k)`` recomputed with :func:`w1_1d`;
        ``info["support"] = "all measures on the line"``.

    Raises
    ------
    NotOptimalError
        The recomputed cost and the certificate disagree beyond
        :data:`~otbary.certificates.GAP_RTOL` relative.
    """
    ms = list(measures)
    w = np.asarray(lam, dtype=float)
    x = _merged_support(ms)
    F = np.stack([cdf(m, x) for m in ms])
    Fb = np.clip(np.maximum.accumulate(weighted_lower_median(F, w)), 0.0, 1.0)
    Fb[-1] = 1.0
    mass = np.diff(Fb, prepend=0.0)
    keep = mass > 0
    mu = Measure(x[keep], mass[keep], normalize=True)
    results = [w1_1d(mu, nu, metric) for nu in ms]
    costs = np.array([r.cost for r in results])
    cost = float(w @ costs)
    g = w[:, None] * _integrate_slopes(x, _median_slopes(F[:, :-1], Fb[:-1], w))
    g_inputs = [gk[np.searchsorted(x, _line_points(m))] for gk, m in zip(g, ms, strict=True)]
    lower = barycenter_lower_bound(list(g), g_inputs, [m.weights for m in ms])
    check_gap(cost, lower, problem_scale(x), "1D barycenter")
    return BarycenterResult(
        measure=mu,
        cost=cost,
        lower_bound=lower,
        weights=w,
        method="exact",
        metric=metric,
        costs=costs,
        potentials=[Potential(x[:, None], gk, metric, float(lk)) for gk, lk in zip(g, w, strict=True)],
        info={"support": "all measures on the line", "path": "1d", "median": "lower", "n_atoms": int(x.size)},
    )
