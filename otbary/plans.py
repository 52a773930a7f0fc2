"""Optimal transport plans for W1, taken from the exact core.

A plan is stored sparsely as the list of its positive entries ``(x_i, y_j, pi_ij)``: the
displacement interpolation (:mod:`otbary.interpolation`) only needs those triples.

* On the line (dimension 1) the plan is the **monotone** (quantile) coupling: sort both
  measures and pair the levels ``u`` of their quantile functions, ``x = Q_mu(u)``,
  ``y = Q_nu(u)``. It is optimal for every convex cost of ``|x - y|``, ``W1`` included,
  and has at most ``n + m - 1`` entries.
* Otherwise the plan is the network-simplex solution of the Kantorovich LP between the atoms
  of positive mass (:func:`otbary.exact.pointcloud.w1_points`, POT's :func:`ot.emd`), whose
  cost is certified by a 1-Lipschitz dual potential (``cost - lower_bound`` within
  :data:`~otbary.certificates.GAP_RTOL`). Grid histograms go through the same path (the grid
  min-cost flow gives the value but not a plan); a basic optimal plan has at most
  ``n + m - 1`` positive entries.

W1 plans are not unique; any optimal plan satisfies the geodesic identities of theory fact 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .certificates import check_gap, problem_scale
from .exact.pointcloud import MAX_PLAN_ENTRIES, positive_atoms
from .geometry import check_metric, norm
from .measures import Measure

__all__ = ["TransportPlan", "optimal_plan", "MAX_PLAN_ENTRIES"]


@dataclass(frozen=True)
class TransportPlan:
    """The positive entries of an optimal coupling ``pi`` of ``mu`` and ``nu``.

    Attributes
    ----------
    sources : ndarray, shape (p, d)
        ``x`` of each entry (an atom of ``mu``).
    targets : ndarray, shape (p, d)
        ``y`` of each entry (an atom of ``nu``).
    mass : ndarray, shape (p,)
        ``pi(x, y) > 0``; sums to one.
    cost : float
        ``sum pi(x, y) d(x, y)``: ``W1(mu, nu)``.
    metric : str
    method : str
        ``"1d-monotone"`` or ``"network-simplex"``.
    """

    sources: NDArray[np.float64]
    targets: NDArray[np.float64]
    mass: NDArray[np.float64]
    cost: float
    metric: str
    method: str


def _monotone_plan(mu: Measure, nu: Measure) -> tuple[NDArray[np.float64], ...]:
    """Quantile coupling on the line: entries between consecutive merged cumulative levels."""
    x, a = positive_atoms(mu)
    y, b = positive_atoms(nu)
    ox, oy = np.argsort(x[:, 0], kind="stable"), np.argsort(y[:, 0], kind="stable")
    xs, ys = x[ox, 0], y[oy, 0]
    ca, cb = np.cumsum(a[ox]), np.cumsum(b[oy])
    ca[-1] = cb[-1] = 1.0
    levels = np.unique(np.concatenate([[0.0], ca, cb]))
    mass = np.diff(levels)
    mid = levels[:-1] + mass / 2
    ix = np.minimum(np.searchsorted(ca, mid, side="left"), xs.size - 1)
    iy = np.minimum(np.searchsorted(cb, mid, side="left"), ys.size - 1)
    keep = mass > 0
    return xs[ix][keep, None], ys[iy][keep, None], mass[keep]


def optimal_plan(mu: Measure, nu: Measure, metric: str = "euclidean") -> TransportPlan:
    r"""An optimal W1 coupling of ``mu`` and ``nu``, as its positive entries.

    .. math::

        \pi \in \arg\min_{\pi \in \Pi(\mu, \nu)} \sum_{ij} \pi_{ij}\, d(x_i, y_j)

    In 1D the monotone coupling ``(Q_mu(u), Q_nu(u))_{u \sim U[0, 1]}``; otherwise the
    network-simplex plan between the atoms of positive mass, certified optimal by its dual
    (see the module docstring).

    Parameters
    ----------
    mu, nu : Measure
        Measures of one dimension (point clouds or grid histograms).
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    TransportPlan

    Raises
    ------
    SizeLimitError
        More than :data:`~otbary.exact.pointcloud.MAX_PLAN_ENTRIES` pairs of positive atoms
        (``n * m``) outside 1D.
    NotOptimalError
        The network simplex does not reach a certified optimum.
    """
    for name, m in (("mu", mu), ("nu", nu)):
        if not isinstance(m, Measure):
            raise TypeError(f"{name} must be an otbary.Measure; got {type(m).__name__}")
    if mu.dim != nu.dim:
        raise ValueError(f"mu and nu have different dimensions: {mu.dim} and {nu.dim}")
    metric = check_metric(metric)
    if mu.dim == 1:
        xs, ys, mass = _monotone_plan(mu, nu)
        cost = float(mass @ np.abs(xs[:, 0] - ys[:, 0]))
        return TransportPlan(xs, ys, mass, cost, metric, "1d-monotone")
    from .exact.pointcloud import w1_points

    res = w1_points(mu, nu, metric)
    plan = np.asarray(res.info["plan"])
    i, j = np.nonzero(plan > 0)
    mass = plan[i, j]
    xs, ys = np.asarray(res.info["x"])[i], np.asarray(res.info["y"])[j]
    cost = float(mass @ norm(xs - ys, metric))
    check_gap(cost, res.lower_bound, problem_scale(np.vstack([xs, ys])), "optimal plan")
    return TransportPlan(xs, ys, mass / mass.sum(), cost, metric, "network-simplex")
