r"""Linear (cloud-in-cell) re-binning of a point cloud onto a regular grid.

An atom ``z`` of mass ``m`` inside the grid cell with lower corner ``c_0`` and spacings
``h_a`` sits at fractional position ``s_a = (z_a - c_{0a}) / h_a`` in ``[0, 1]`` along each axis;
it is split between the ``2^d`` corners ``c_0 + sum_a e_a b_a h_a`` (``b in {0, 1}^d``) with the
multilinear weights ``prod_a s_a^{b_a} (1 - s_a)^{1 - b_a}``. The split preserves the mass and
the mean of every atom.

Error. The split is itself a transport plan from the cloud to its re-binned histogram, so

.. math::

    W_1(\mu, R\mu) \le \sum_i m_i \sum_{c} w_{ic}\, d(z_i, c) =: \text{split cost}
    \le \max_{s \in [0,1]^d} \sum_c w_c(s)\, d(z, c),

computed exactly by :func:`rebin_cost`; the worst case over positions
(:func:`rebin_error_bound`) is ``sum_a h_a / 2`` for cityblock (the per-axis term is
``2 h_a s_a (1 - s_a) <= h_a / 2``) and ``sqrt(sum_a h_a^2) / 2`` (half the cell diagonal,
by Jensen: ``E|z - c|_2 <= sqrt(sum_a h_a^2 s_a (1 - s_a))``) for euclidean and chebyshev;
``h / 2`` on the line for all three.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .geometry import Grid, check_metric, norm
from .measures import Measure

__all__ = ["REBIN_TOL", "rebin", "rebin_cost", "rebin_error_bound"]

#: Points up to ``REBIN_TOL * spacing`` outside the grid's bounding box are moved onto it
#: (rounding of interpolated coordinates); farther ones raise ``ValueError``.
REBIN_TOL = 1e-9


def _check(measure: object, grid: object) -> tuple[Measure, Grid]:
    if not isinstance(measure, Measure):
        raise TypeError(f"measure must be an otbary.Measure; got {type(measure).__name__}")
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    if grid.ndim != measure.dim:
        raise ValueError(f"grid has dimension {grid.ndim}, the measure has dimension {measure.dim}")
    return measure, grid


def _corners(points: NDArray[np.float64], grid: Grid) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Flat node numbers ``(n, 2^d)`` of each point's cell corners and their multilinear weights."""
    n, d = points.shape
    lower = np.empty((n, d), dtype=np.intp)
    frac = np.empty((n, d))
    for a, (size, h, o) in enumerate(zip(grid.shape, grid.spacing, grid.origin, strict=True)):
        u = (points[:, a] - o) / h
        if np.any(u < -REBIN_TOL) or np.any(u > size - 1 + REBIN_TOL):
            bad = points[(u < -REBIN_TOL) | (u > size - 1 + REBIN_TOL)][0]
            raise ValueError(
                f"rebin: the point {bad.tolist()} lies outside the grid's bounding box along axis {a} "
                f"([{o}, {o + h * (size - 1)}]); pass a larger grid"
            )
        u = np.clip(u, 0.0, size - 1)
        i0 = np.clip(np.floor(u).astype(np.intp), 0, max(size - 2, 0))
        lower[:, a] = i0
        frac[:, a] = np.clip(u - i0, 0.0, 1.0) if size > 1 else 0.0
    bits = np.array(np.meshgrid(*[[0, 1]] * d, indexing="ij")).reshape(d, -1).T  # (2^d, d)
    idx = lower[:, None, :] + bits[None, :, :]
    idx = np.minimum(idx, np.asarray(grid.shape) - 1)
    w = np.prod(np.where(bits[None, :, :] == 1, frac[:, None, :], 1.0 - frac[:, None, :]), axis=2)
    return grid.index(idx), w


def rebin(measure: Measure, grid: Grid) -> Measure:
    r"""Histogram on ``grid`` made by splitting each atom linearly between its cell's corners.

    .. math::

        R\mu = \sum_i m_i \sum_{b \in \{0,1\}^d} \prod_a s_{ia}^{b_a} (1 - s_{ia})^{1 - b_a}\,
               \delta_{c_i + b \odot h}

    (module docstring). Mass and mean are preserved; ``W1(mu, R mu) <= rebin_cost(mu, grid, metric)``.

    Parameters
    ----------
    measure : Measure
        Any measure of the grid's dimension whose atoms lie in the grid's bounding box.
    grid : Grid

    Returns
    -------
    Measure
        A histogram on ``grid`` (:meth:`~otbary.Measure.on_grid`).

    Raises
    ------
    ValueError
        An atom lies outside the bounding box, or the dimensions differ.
    """
    mu, g = _check(measure, grid)
    idx, w = _corners(np.asarray(mu.points), g)
    values = np.bincount(idx.ravel(), weights=(mu.weights[:, None] * w).ravel(), minlength=g.size)
    return Measure.on_grid(g, values, normalize=True)


def rebin_cost(measure: Measure, grid: Grid, metric: str = "euclidean") -> float:
    r"""Cost of the linear split: an upper bound on ``W1(measure, rebin(measure, grid))``.

    .. math::

        \sum_i m_i \sum_c w_{ic}\, d(z_i, c) \;\ge\; W_1(\mu, R\mu)

    Parameters
    ----------
    measure : Measure
    grid : Grid
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    float
        At most :func:`rebin_error_bound` ``(grid, metric)``.
    """
    mu, g = _check(measure, grid)
    metric = check_metric(metric)
    idx, w = _corners(np.asarray(mu.points), g)
    nodes = g.points[idx]  # (n, 2^d, d)
    dist = norm(nodes - np.asarray(mu.points)[:, None, :], metric)
    return float(mu.weights @ np.sum(w * dist, axis=1))


def rebin_error_bound(grid: Grid, metric: str = "euclidean") -> float:
    """Worst case of :func:`rebin_cost` over all probability measures in the grid's box.

    ``sum_a h_a / 2`` (cityblock), ``sqrt(sum_a h_a^2) / 2`` (euclidean and chebyshev); on the
    line ``h / 2`` for every metric. Axes with a single node contribute nothing.

    Parameters
    ----------
    grid : Grid
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    float
    """
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    metric = check_metric(metric)
    h = np.array([s if n > 1 else 0.0 for s, n in zip(grid.spacing, grid.shape, strict=True)])
    if metric == "cityblock":
        return float(h.sum() / 2)
    return float(min(np.sqrt(np.sum(h * h)), h.sum()) / 2)
