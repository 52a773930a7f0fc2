"""``ob.w1`` and ``ob.solve_w1``: dispatch to the exact path that fits the inputs."""

from __future__ import annotations

from ..geometry import check_metric
from ..measures import Measure, check_pair
from ..results import W1Result

__all__ = ["solve_w1", "w1"]


def solve_w1(mu: Measure, nu: Measure, metric: str = "euclidean") -> W1Result:
    r"""Exact Wasserstein-1 distance with its dual certificate.

    .. math::

        W_1(\mu, \nu) = \min_{\pi \in \Pi(\mu, \nu)} \int d(x, y)\, d\pi(x, y)
                      = \max_{\|f\|_{\mathrm{Lip}} \le 1} \int f \, d(\mu - \nu).

    Paths, chosen from the inputs:

    * 1D (any metric: they coincide on the line): ``\int |F_\mu - F_\nu| dx``, O(n log n);
    * both measures on the same :class:`~otbary.Grid`: min-cost flow on the neighbour graph
      (exact for cityblock and chebyshev; euclidean by arc generation priced by the dual);
    * otherwise point clouds: the transport LP by network simplex.

    Parameters
    ----------
    mu, nu : Measure or array_like
        Probability measures of the same dimension; an ``(n, d)`` array of points stands for
        the uniform empirical measure of its rows (POT's habit, :func:`otbary.measures.as_measure`).
    metric : {"euclidean", "cityblock", "chebyshev"}
        Ground metric ``d``.

    Returns
    -------
    W1Result
        ``.cost``, ``.lower_bound`` (equal up to the solver tolerance) and ``.potential``,
        a 1-Lipschitz ``f`` with ``<f, mu - nu> = .lower_bound``.

    Raises
    ------
    NotOptimalError
        The solver did not reach a certified optimum.
    """
    mu, nu = check_pair(mu, nu)
    metric = check_metric(metric)
    if mu.dim == 1:
        from .onedim import w1_1d

        return w1_1d(mu, nu, metric)
    if mu.grid is not None and mu.grid == nu.grid:
        from .grid import w1_grid

        return w1_grid(mu, nu, metric)
    from .pointcloud import w1_points

    return w1_points(mu, nu, metric)


def w1(mu: Measure, nu: Measure, metric: str = "euclidean") -> float:
    """Exact ``W1(mu, nu)`` as a float; see :func:`solve_w1` for the certificate."""
    return float(solve_w1(mu, nu, metric).cost)
