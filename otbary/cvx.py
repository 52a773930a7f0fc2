r"""W1 on a fixed support as a cvxpy building block (optional: ``pip install otbary[cvx]``).

On a fixed support ``S`` the map ``mu -> W1(mu, nu)`` is convex and LP-representable:

.. math::

    W_1(\mu, \nu) = \min_{f \ge 0,\; D f = \mu - \nu} \ell \cdot f
    \quad\text{(flow, grids)} \qquad
    W_1(\mu, \nu) = \min_{\pi \ge 0,\; \pi 1 = \mu,\; \pi^\top 1 = b} \langle M, \pi \rangle
    \quad\text{(plan)} .

:func:`w1_epigraph` returns the linear expression ``t = l.f`` (or ``<M, pi>``) together with the
constraints on its auxiliary variable, so that ``t`` may appear wherever a convex function
may in a DCP problem: minimised, or bounded above (``t <= eta`` is the Wasserstein ball,
:func:`w1_ball`). Any feasible auxiliary variable gives ``t >= W1(mu, nu)``, and the
optimiser drives it down to ``W1`` wherever that helps the objective; ``t`` must therefore
not be maximised or bounded below (that would not be ``W1``).

Formulations:

* ``support`` a :class:`~otbary.Grid` with ``metric="cityblock"``, or ``"chebyshev"`` with a
  uniform spacing: the min-cost flow on the neighbour arcs of :mod:`otbary.arcs`
  (``O(N)`` variables, exact: theory fact 2);
* anything else (point supports, euclidean on grids): the transport plan between ``S`` and
  the atoms of ``nu`` (``|S| * m`` variables, exact for every metric), limited to
  :data:`MAX_PLAN_ENTRIES`.

:func:`otbary.ball_problem` solves the Wasserstein-ball problem as a direct LP; this module
serves the general case (other objectives, several balls, extra convex constraints), e.g.::

    import cvxpy as cp
    from otbary.cvx import simplex, w1_ball, w1_epigraph

    mu = cp.Variable(grid.size)
    t, cons = w1_epigraph(mu, target, grid, "cityblock")
    for nu, eta in zip(centers, radii):
        cons += w1_ball(mu, nu, eta, grid, "cityblock")
    cp.Problem(cp.Minimize(t + 0.1 * cp.sum_squares(mu)), cons + simplex(mu)).solve()
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .errors import SizeLimitError
from .extras import require
from .geometry import Grid, check_metric, pairwise_distances
from .measures import Measure
from .support import FixedSupportArg

__all__ = ["MAX_PLAN_ENTRIES", "require_cvxpy", "simplex", "support_points", "w1_ball", "w1_epigraph"]

#: Largest plan (``|S| * m`` variables) built by the plan formulation.
MAX_PLAN_ENTRIES = 2_000_000



def require_cvxpy() -> Any:
    """Import and return :mod:`cvxpy`, or raise ``ImportError`` with the install hint."""
    return require("cvxpy", "otbary.cvx", "pip install 'otbary[cvx]' (or pip install cvxpy)")


def support_points(support: FixedSupportArg) -> NDArray[np.float64]:
    """The support as an ``(n, d)`` array (a Grid's nodes in C order, a Measure's atoms, or points)."""
    if isinstance(support, Grid):
        return support.points
    if isinstance(support, Measure):
        return np.asarray(support.points)
    try:
        pts = np.asarray(support, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("support must be a Grid, a Measure or an array of points") from exc
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[0] == 0 or not np.all(np.isfinite(pts)):
        raise ValueError(f"support must be a non-empty finite (n, d) array of points; got shape {pts.shape}")
    return pts


def simplex(mu: Any) -> list[Any]:
    """Constraints ``mu >= 0, sum(mu) = 1`` (``mu`` a probability vector on the support)."""
    cp = require_cvxpy()
    return [mu >= 0, cp.sum(mu) == 1]


def _nu_on_grid(nu: Measure, grid: Grid) -> NDArray[np.float64]:
    if nu.grid != grid:
        raise ValueError("nu must be a histogram on the support grid for the flow formulation")
    return np.asarray(nu.weights, dtype=float)


def w1_epigraph(
    mu: Any, nu: Measure, support: FixedSupportArg, metric: str = "euclidean"
) -> tuple[Any, list[Any]]:
    r"""``W1(mu, nu)`` on a fixed support as a cvxpy expression ``t`` plus its constraints.

    .. math::

        t = \ell \cdot f, \quad D f = \mu - \nu,\ f \ge 0 \quad\text{(grid flow)};\qquad
        t = \langle M, \pi \rangle, \quad \pi 1 = \mu,\ \pi^\top 1 = b,\ \pi \ge 0 \quad\text{(plan)},

    so that ``min t`` over the auxiliary variable is ``W1(mu, nu)`` (module docstring).

    Parameters
    ----------
    mu : cvxpy Expression, shape (n,)
        Masses on the support (add :func:`simplex` for a probability vector).
    nu : Measure
        A fixed measure. Flow formulation: a histogram on the support grid. Plan formulation:
        anywhere (its atoms of positive mass are used).
    support : Grid, Measure or array_like (n, d)
        The points that ``mu`` lives on.
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    t : cvxpy Expression
        Linear in the auxiliary flow or plan; ``t >= W1(mu, nu)`` on the feasible set, with equality
        at the minimum over the auxiliary variable.
    constraints : list of cvxpy Constraint

    Raises
    ------
    ImportError
        cvxpy is not installed.
    TypeError, ValueError
        ``nu`` not a Measure, of another dimension, off the support grid (flow), or ``mu`` of the
        wrong shape.
    SizeLimitError
        The plan would exceed :data:`MAX_PLAN_ENTRIES` variables.
    """
    cp = require_cvxpy()
    metric = check_metric(metric)
    if not isinstance(nu, Measure):
        raise TypeError(f"nu must be an otbary.Measure; got {type(nu).__name__}")
    pts = support_points(support)
    if nu.dim != pts.shape[1]:
        raise ValueError(f"nu has dimension {nu.dim}, the support has {pts.shape[1]}")
    n = pts.shape[0]
    if tuple(getattr(mu, "shape", ())) != (n,):
        raise ValueError(f"mu must be a cvxpy expression of shape ({n},); got {getattr(mu, 'shape', None)}")
    if isinstance(support, Grid) and (metric == "cityblock"
                                      or (metric == "chebyshev" and len(set(support.spacing)) == 1)):
        from .arcs import neighbour_arcs

        tail, head, length = neighbour_arcs(support, metric)
        m = tail.size
        D = sp.csr_matrix((np.concatenate([np.ones(m), -np.ones(m)]),
                           (np.concatenate([tail, head]), np.concatenate([np.arange(m), np.arange(m)]))),
                          shape=(n, m))
        f = cp.Variable(m, nonneg=True)
        return length @ f, [D @ f == mu - _nu_on_grid(nu, support)]
    keep = np.asarray(nu.weights) > 0
    y, b = np.asarray(nu.points)[keep], np.asarray(nu.weights)[keep]
    if n * y.shape[0] > MAX_PLAN_ENTRIES:
        raise SizeLimitError(f"w1_epigraph: the plan would have {n} x {y.shape[0]} entries, beyond "
                             f"MAX_PLAN_ENTRIES = {MAX_PLAN_ENTRIES}")
    M = pairwise_distances(pts, y, metric)
    pi = cp.Variable((n, y.shape[0]), nonneg=True)
    return cp.sum(cp.multiply(M, pi)), [cp.sum(pi, axis=1) == mu, cp.sum(pi, axis=0) == b / b.sum()]


def w1_ball(mu: Any, nu: Measure, radius: float, support: FixedSupportArg,
            metric: str = "euclidean") -> list[Any]:
    r"""Constraints for ``W1(mu, nu) <= radius`` (the Wasserstein ball around ``nu``).

    The first constraint returned is ``t <= radius``; its dual value is the multiplier
    ``lambda >= 0`` of the ball (the ``.multipliers`` of :func:`otbary.ball_problem`).

    Parameters
    ----------
    mu, nu, support, metric
        As in :func:`w1_epigraph`.
    radius : float
        ``eta >= 0``, finite.

    Returns
    -------
    list of cvxpy Constraint
    """
    r = float(radius)
    if not np.isfinite(r) or r < 0:
        raise ValueError(f"radius must be finite and non-negative; got {radius!r}")
    t, cons = w1_epigraph(mu, nu, support, metric)
    return [t <= r] + cons
