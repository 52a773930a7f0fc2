r"""Displacement interpolation and the recursive pairwise barycenter (theory facts 5 and 7).

For an optimal W1 plan ``pi`` between ``mu_0`` and ``mu_1`` the displacement (McCann)
interpolation is

.. math::

    \mu_t = \big((1 - t)\,x + t\,y\big)_\# \pi, \qquad t \in [0, 1].

Because the ground metric comes from a norm, moving every pair ``(x, y)`` a fraction ``t`` of
the way costs ``t ||x - y||``, and the triangle inequality closes the argument:

.. math::

    W_1(\mu_0, \mu_t) = t\, W_1(\mu_0, \mu_1), \qquad W_1(\mu_t, \mu_1) = (1 - t)\, W_1(\mu_0, \mu_1)

for **every** optimal plan (W1 plans are not unique, and neither are W1 geodesics). In 1D the
plan is the monotone coupling, so ``mu_t`` has quantile function ``(1 - t) Q_0 + t Q_1``.

The recursive pairwise scheme ``b_1 = nu_1``, ``b_k = interpolate(b_{k-1}, nu_k, lambda_k / S_k)``
with ``S_k = lambda_1 + ... + lambda_k`` is what a chain of two-marginal problems computes. It is
not a W1 barycenter in general; :func:`recursive_barycenter` returns its exact objective and a
certified lower bound on the optimum so that the gap is measured, not guessed.
"""

from __future__ import annotations

import numbers
from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .geometry import Grid, check_metric
from .measures import Measure, check_measures, check_pair, check_weights, common_grid
from .plans import TransportPlan, optimal_plan
from .rebin import rebin as _rebin
from .results import BarycenterResult
from .support import SupportArg

__all__ = ["interpolate", "geodesic", "recursive_barycenter", "pairwise_lower_bound"]

RebinArg = Union[None, bool, Grid]


def _check_t(t: object, name: str = "t") -> float:
    if isinstance(t, np.ndarray) and t.ndim == 0 and t.dtype.kind in "fiu":
        t = t.item()  # a 0-d numeric array is a number
    if isinstance(t, bool) or not isinstance(t, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number in [0, 1]; got {type(t).__name__}")
    value = float(t)
    if not np.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a finite number in [0, 1]; got {value!r}")
    return value


def _rebin_grid(rebin: RebinArg, measures: Sequence[Measure], names: str) -> Optional[Grid]:
    """The grid to re-bin on: ``None``, the inputs' common grid (``True``) or the given Grid."""
    if rebin is None or rebin is False:
        return None
    if rebin is True:
        grid = common_grid(measures)
        if grid is None:
            raise ValueError(f"rebin=True needs {names} to be histograms on one grid; pass rebin=<a Grid>")
        return grid
    if isinstance(rebin, Grid):
        if rebin.ndim != measures[0].dim:
            raise ValueError(f"rebin grid has dimension {rebin.ndim}, the measures have {measures[0].dim}")
        return rebin
    raise TypeError(f"rebin must be None, True or an otbary.Grid; got {type(rebin).__name__}")


def _push(plan: TransportPlan, t: float) -> Measure:
    """``((1 - t) x + t y)_# pi`` with coinciding atoms merged."""
    pts = (1.0 - t) * plan.sources + t * plan.targets
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    mass = np.bincount(np.asarray(inverse).ravel(), weights=plan.mass, minlength=uniq.shape[0])
    return Measure(uniq, mass, normalize=True)


def interpolate(mu: Measure, nu: Measure, t: float, metric: str = "euclidean", *,
                rebin: RebinArg = None) -> Measure:
    r"""Displacement (McCann) interpolation ``mu_t`` between ``mu`` and ``nu``.

    .. math::

        \mu_t = \big((1 - t)\,x + t\,y\big)_\# \pi, \qquad
        W_1(\mu, \mu_t) = t\,W_1(\mu, \nu),\quad W_1(\mu_t, \nu) = (1 - t)\,W_1(\mu, \nu),

    with ``pi`` an optimal W1 plan for ``metric`` (:func:`otbary.plans.optimal_plan`: the
    monotone coupling in 1D, so ``Q_{mu_t} = (1 - t) Q_mu + t Q_nu``; otherwise the certified
    network-simplex plan between the atoms of positive mass, grid histograms included).

    Parameters
    ----------
    mu, nu : Measure or array_like
        Point clouds or grid histograms of one dimension.
    t : float
        In ``[0, 1]``; ``t = 0`` gives ``mu`` and ``t = 1`` gives ``nu`` (as point clouds of
        their atoms of positive mass).
    metric : {"euclidean", "cityblock", "chebyshev"}
        Ground metric; the plan is optimal for it (plans differ between metrics).
    rebin : None, True or Grid, keyword-only
        ``None``: return the point cloud (at most ``n + m - 1`` atoms). ``True``: split it
        linearly onto the common grid of ``mu`` and ``nu`` (:func:`otbary.rebin.rebin`);
        a :class:`~otbary.Grid`: onto that grid. Re-binning adds a W1 error of at most
        :func:`otbary.rebin.rebin_cost` of the cloud, itself at most half a cell
        (:func:`otbary.rebin.rebin_error_bound`: ``sum_a h_a / 2`` for cityblock, half the
        cell diagonal for euclidean and chebyshev).

    Returns
    -------
    Measure
        A point cloud, or a grid histogram when ``rebin`` is set.

    Raises
    ------
    ValueError
        ``t`` outside ``[0, 1]`` or not finite; different dimensions; ``rebin=True`` without a
        common grid.
    SizeLimitError
        Outside 1D, more than :data:`~otbary.exact.pointcloud.MAX_PLAN_ENTRIES` pairs of
        positive atoms.
    NotOptimalError
        The plan is not certified optimal.

    Examples
    --------
    >>> import otbary as ob
    >>> mu, nu = ob.Measure([[0.0, 0.0]]), ob.Measure([[2.0, 0.0]])
    >>> ob.interpolate(mu, nu, 0.25).points
    array([[0.5, 0. ]])
    """
    mu, nu = check_pair(mu, nu)
    tt = _check_t(t)
    metric = check_metric(metric)
    grid = _rebin_grid(rebin, [mu, nu], "mu and nu")
    out = _push(optimal_plan(mu, nu, metric), tt)
    return out if grid is None else _rebin(out, grid)


def geodesic(mu: Measure, nu: Measure, ts: ArrayLike, metric: str = "euclidean", *,
             rebin: RebinArg = None) -> list[Measure]:
    r"""Several points ``mu_t`` of one displacement geodesic (one optimal plan for all ``t``).

    .. math::

        \mu_t = \big((1 - t)\,x + t\,y\big)_\# \pi, \qquad t \in \texttt{ts}

    Using one plan matters: W1 plans are not unique, and points taken from different plans
    need not lie on one geodesic (``W1(mu_s, mu_t) = |t - s| W1(mu, nu)`` holds along one plan).

    Parameters
    ----------
    mu, nu : Measure or array_like
    ts : array_like of float
        Times in ``[0, 1]``, any order.
    metric : {"euclidean", "cityblock", "chebyshev"}
    rebin : None, True or Grid, keyword-only
        As in :func:`interpolate`.

    Returns
    -------
    list of Measure
        One measure per entry of ``ts``.
    """
    mu, nu = check_pair(mu, nu)
    try:
        times = np.asarray(ts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("ts must be a sequence of numbers in [0, 1]") from exc
    if times.ndim != 1 or times.size == 0:
        raise ValueError(f"ts must be a non-empty 1D sequence of times; got shape {times.shape}")
    values = [_check_t(float(v), f"ts[{i}]") for i, v in enumerate(times)]
    metric = check_metric(metric)
    grid = _rebin_grid(rebin, [mu, nu], "mu and nu")
    plan = optimal_plan(mu, nu, metric)
    out = [_push(plan, v) for v in values]
    return out if grid is None else [_rebin(m, grid) for m in out]


def pairwise_lower_bound(measures: Sequence[Measure], weights: ArrayLike, metric: str = "euclidean"
                         ) -> tuple[float, NDArray[np.float64]]:
    r"""A certified lower bound on the W1 barycenter optimum over **all** measures.

    For any ``mu`` and ``y_{jk} >= 0`` with ``sum_{j: j != k} y_{jk} <= lambda_k`` for every ``k``,
    the triangle inequality ``W1(nu_j, nu_k) <= W1(mu, nu_j) + W1(mu, nu_k)`` gives

    .. math::

        \sum_k \lambda_k W_1(\mu, \nu_k) \;\ge\; \sum_{j < k} y_{jk}\,(W_1(\mu,\nu_j) + W_1(\mu,\nu_k))
        \;\ge\; \sum_{j < k} y_{jk}\, W_1(\nu_j, \nu_k).

    The best ``y`` solves a small LP (``K(K-1)/2`` variables); it is then scaled to be exactly
    feasible and ``W1(nu_j, nu_k)`` is replaced by its certified lower bound, so the returned
    value is a bound whatever the LP solver's accuracy. It is the optimum for ``K = 2``
    (``min(lambda) W1(nu_1, nu_2)``, theory fact 5) and costs ``K(K-1)/2`` exact W1 solves.

    Parameters
    ----------
    measures : sequence of Measure or array_like
    weights : array_like
        ``lambda`` (POT convention).
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    bound : float
    distances : ndarray, shape (K, K)
        The certified lower bounds on ``W1(nu_j, nu_k)`` that were used.
    """
    from scipy.optimize import linprog

    from .exact import solve_w1

    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    K = len(ms)
    D = np.zeros((K, K))
    pairs = [(j, k) for j in range(K) for k in range(j + 1, K) if lam[j] > 0 and lam[k] > 0]
    for j, k in pairs:
        D[j, k] = D[k, j] = max(0.0, float(solve_w1(ms[j], ms[k], metric).lower_bound))
    if not pairs:
        return 0.0, D
    A = np.zeros((K, len(pairs)))
    for p, (j, k) in enumerate(pairs):
        A[j, p] = A[k, p] = 1.0
    d = np.array([D[j, k] for j, k in pairs])
    res = linprog(-d, A_ub=A, b_ub=lam, bounds=(0, None), method="highs")
    if res.status != 0:
        return 0.0, D
    y = np.maximum(np.asarray(res.x, dtype=float), 0.0)
    load = A @ y
    over = load > lam
    if np.any(over):
        y = y * float(np.min(lam[over] / load[over]))
    return float(y @ d), D


def _default_optimum_support(ms: list[Measure], b: Measure) -> SupportArg:
    """A support for ``ob.barycenter`` that contains the recursion's answer ``b``."""
    if ms[0].dim == 1:
        return None  # closed form, over all measures on the line
    grid = common_grid(ms)
    if grid is not None and b.grid == grid:
        return None  # the shared grid
    atoms = [m.points[m.weights > 0] for m in [*ms, b]]
    return np.unique(np.vstack(atoms), axis=0)


def recursive_barycenter(
    measures: Sequence[Measure],
    weights: Optional[ArrayLike] = None,
    metric: str = "euclidean",
    *,
    optimum: bool = False,
    support: SupportArg = None,
    rebin: RebinArg = None,
    bound: bool = True,
) -> BarycenterResult:
    r"""The recursive pairwise barycenter, with its exact objective and a certified gap.

    .. math::

        b_1 = \nu_1, \qquad b_k = \mathrm{interpolate}\big(b_{k-1}, \nu_k,\;
        t_k = \lambda_k / (\lambda_1 + \dots + \lambda_k)\big), \qquad k = 2..K,

    and the answer is ``b_K`` (when ``lambda_1 = ... = lambda_k = 0`` the step takes
    ``b_k = nu_k``). Each step is one two-marginal problem, as in the recursive WGAN scheme.
    ``b_K`` is **not** a W1 barycenter in general (theory fact 7: ``N(-2, 1)``, ``N(2, 1)``
    with weights ``.6/.4`` give ``N(-0.4, 1)``, objective 1.92, against the optimum 1.6 at
    ``nu_1``). With ``K = 2`` and equal weights it is optimal (fact 5).

    Order: in 1D every step averages quantile functions, so ``Q_{b_K} = sum_k lambda_k Q_k``
    whatever the order. In dimension 2 and more the plans of later steps depend on the earlier
    ones and the answer (and its objective) depends on the order of ``measures``.

    Parameters
    ----------
    measures : sequence of Measure or array_like
        ``nu_1..nu_K``, one dimension, in the order of the recursion.
    weights : array_like, optional
        ``lambda`` (POT convention: non-negative, summing to one); ``None`` gives ``1/K``.
    metric : {"euclidean", "cityblock", "chebyshev"}
    optimum : bool, default False, keyword-only
        Also solve the exact barycenter problem with :func:`otbary.barycenter` and report it:
        ``info["optimum"]`` (its cost), ``info["optimum_result"]`` and ``.lower_bound`` = its
        certified lower bound, so that ``.gap`` bounds how far ``b_K`` is from optimal.
    support : None, "free", Grid, Measure or array_like, keyword-only
        Support of that exact problem. ``None`` picks one that contains ``b_K``: all measures
        on the line in 1D, the shared grid when ``b_K`` was re-binned on it, otherwise the
        union of the atoms of the inputs and of ``b_K``. With a support that does not contain
        ``b_K`` the bound holds only over measures on that support (``.gap`` may be negative).
    rebin : None, True or Grid, keyword-only
        Re-bin every ``b_k`` onto a grid (:func:`interpolate`); bounds the number of atoms at
        the price of a W1 error of at most half a cell per step.
    bound : bool, default True, keyword-only
        Without ``optimum``: ``.lower_bound`` is :func:`pairwise_lower_bound` (valid over all
        measures, ``K(K-1)/2`` exact W1 solves); ``bound=False`` skips it and sets ``-inf``.

    Returns
    -------
    BarycenterResult
        ``.measure = b_K``; ``.cost = sum_k lambda_k W1(b_K, nu_k)`` and ``.costs`` computed
        with :func:`otbary.w1`; ``.method = "recursive"``; ``.status = "feasible"`` (a
        candidate, not a certified optimum); ``.info``: ``"steps"`` (the ``t_k``), ``"sizes"``
        (atoms of every ``b_k``), ``"bound"`` (which lower bound), and with ``optimum=True``
        ``"optimum"``, ``"optimum_result"`` and ``"support"``.

    Raises
    ------
    ValueError, TypeError
        Bad ``measures`` (empty, different dimensions), ``weights`` (length, sign, sum),
        ``metric`` or ``rebin``.
    SizeLimitError
        A plan or the exact problem of ``optimum=True`` is beyond the exact core's size limits
        (on grids, ``rebin=True`` keeps the optimum on the grid's fast path).
    """
    from .barycenter import barycenter
    from .exact import w1

    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    grid = _rebin_grid(rebin, ms, "measures")
    if not isinstance(optimum, bool):
        raise TypeError(f"optimum must be a bool; got {type(optimum).__name__}")
    b = ms[0]
    steps: list[float] = [1.0]
    sizes = [int(np.count_nonzero(b.weights))]
    total = float(lam[0])
    for k in range(1, len(ms)):
        total += float(lam[k])
        t = 1.0 if total <= 0 else min(1.0, float(lam[k]) / total)
        steps.append(t)
        if t == 1.0:
            b = ms[k]
        elif t > 0.0:
            b = interpolate(b, ms[k], t, metric, rebin=grid)
        sizes.append(int(np.count_nonzero(b.weights)))
    if grid is not None and b.grid != grid:
        b = _rebin(b, grid)  # an input taken as it is (t_k = 1 or K = 1) onto the requested grid
    costs = np.array([w1(b, nu, metric) for nu in ms])
    cost = float(lam @ costs)
    info: dict[str, object] = {"steps": steps, "sizes": sizes}
    if optimum:
        sup = _default_optimum_support(ms, b) if support is None else support
        opt = barycenter(ms, lam, metric, support=sup)
        lower = float(opt.lower_bound)
        info.update(optimum=float(opt.cost), optimum_result=opt, support=opt.info.get("support"),
                    bound="exact optimum (ob.barycenter)")
    elif bound:
        lower, D = pairwise_lower_bound(ms, lam, metric)
        info.update(bound="pairwise triangle bound", pairwise_distances=D)
    else:
        lower = -np.inf
        info.update(bound="none (bound=False)")
    return BarycenterResult(
        measure=b,
        cost=cost,
        lower_bound=lower,
        weights=lam,
        method="recursive",
        metric=metric,
        costs=costs,
        status="feasible",
        info=info,
    )
