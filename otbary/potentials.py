"""Lipschitz potentials: the certificates behind every exact answer.

By Kantorovich–Rubinstein duality, ``W1(mu, nu) = max_f <f, mu - nu>`` over 1-Lipschitz
``f``; any ``L``-Lipschitz ``f`` with ``L <= 1`` gives the lower bound ``<f, mu - nu>``.
For a barycenter with weights ``lambda_k`` and ``lambda_k``-Lipschitz ``g_k`` on a support
``S`` (theory fact 3)::

    min_{mu on S} sum_k lambda_k W1(mu, nu_k) >= min_{x in S} sum_k g_k(x) - sum_k <g_k, nu_k>.

Solvers return approximate dual variables; :func:`lipschitz_envelope` turns them into
*exactly* Lipschitz functions (the largest ``L``-Lipschitz minorant), so that the bounds
above hold whatever the accuracy of the solver.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .geometry import Grid, check_metric, pairwise_distances

__all__ = ["Potential", "lipschitz_envelope", "mcshane_extension", "w1_lower_bound", "barycenter_lower_bound"]

_CHUNK = 2048


def _chunked_min_plus(values: NDArray[np.float64], src: NDArray[np.float64], dst: NDArray[np.float64],
                      metric: str, lipschitz: float) -> NDArray[np.float64]:
    """``out_i = min_j values_j + L d(dst_i, src_j)``, in chunks of rows."""
    out = np.empty(dst.shape[0])
    for s in range(0, dst.shape[0], _CHUNK):
        d = pairwise_distances(dst[s : s + _CHUNK], src, metric)
        out[s : s + _CHUNK] = np.min(values[None, :] + lipschitz * d, axis=1)
    return out


def _grid_envelope_cityblock(
    values: NDArray[np.float64], grid: Grid, lipschitz: float
) -> NDArray[np.float64]:
    # d1 is a sum over axes, so the min-plus convolution with L*d1 is a composition of 1D ones;
    # each 1D one is  min_j g_j + L|x_i - x_j| = min(forward, backward) cumulative minima.
    g = values.reshape(grid.shape).copy()
    for ax, h in enumerate(grid.spacing):
        n = grid.shape[ax]
        if n == 1:
            continue
        shape = [1] * grid.ndim
        shape[ax] = n
        x = (lipschitz * h * np.arange(n)).reshape(shape)
        fwd = np.minimum.accumulate(g - x, axis=ax) + x
        bwd = np.flip(np.minimum.accumulate(np.flip(g + x, axis=ax), axis=ax), axis=ax) - x
        g = np.minimum(fwd, bwd)
    return g.ravel()


def _grid_envelope_graph(values: NDArray[np.float64], grid: Grid, lipschitz: float) -> NDArray[np.float64]:
    # Chebyshev: shortest paths on the 3^d - 1 neighbour graph (its path metric is the
    # chebyshev distance when the spacing is uniform) from a super-source joined to node j
    # with length values_j - min(values).
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    from .arcs import neighbour_arcs

    tail, head, length = neighbour_arcs(grid, "chebyshev")
    n = grid.size
    base = float(values.min())
    rows = np.concatenate([tail, np.full(n, n)])
    cols = np.concatenate([head, np.arange(n)])
    data = np.concatenate([lipschitz * length, values - base + 1e-300])
    graph = coo_matrix((data, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    dist = dijkstra(graph, directed=True, indices=n)
    return np.asarray(dist[:n] + base)


def lipschitz_envelope(
    values: ArrayLike,
    points: ArrayLike,
    metric: str,
    lipschitz: float = 1.0,
    grid: Optional[Grid] = None,
) -> NDArray[np.float64]:
    """Largest ``L``-Lipschitz function below ``values`` on ``points``.

    Computes ``g_i = min_j values_j + L d(x_i, x_j)``. The result is ``L``-Lipschitz for
    ``metric`` on the points and equals ``values`` wherever ``values`` already was.

    Parameters
    ----------
    values : array_like, shape (n,)
    points : array_like, shape (n, d)
    metric : {"cityblock", "chebyshev", "euclidean"}
    lipschitz : float
        The constant ``L >= 0``.
    grid : Grid, optional
        When the points are the nodes of ``grid`` (C order): cityblock runs in ``O(n d)``
        by separable cumulative minima; chebyshev (uniform spacing) by shortest paths on
        the neighbour graph; euclidean falls back to the ``O(n^2)`` formula.
    """
    metric = check_metric(metric)
    v = np.asarray(values, dtype=float)
    if grid is not None and metric == "cityblock":
        return _grid_envelope_cityblock(v, grid, lipschitz)
    if grid is not None and metric == "chebyshev" and len(set(grid.spacing)) == 1:
        return _grid_envelope_graph(v, grid, lipschitz)
    pts = np.asarray(points, dtype=float)
    return _chunked_min_plus(v, pts, pts, metric, lipschitz)


def mcshane_extension(values: ArrayLike, points: ArrayLike, at: ArrayLike, metric: str,
                      lipschitz: float = 1.0) -> NDArray[np.float64]:
    r"""The McShane extension of ``values`` on ``points``, evaluated at the rows of ``at``.

    .. math:: \bar f(x) = \min_j f(p_j) + L\, d(x, p_j)

    It is ``L``-Lipschitz everywhere (a minimum of ``L``-Lipschitz functions) and agrees with
    ``values`` on ``points`` when they are ``L``-Lipschitz there.
    """
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    xa = np.atleast_2d(np.asarray(at, dtype=float))
    v = np.asarray(values, dtype=float).ravel()
    return _chunked_min_plus(v, pts, xa, check_metric(metric), float(lipschitz))


class Potential:
    """An ``L``-Lipschitz function known by its values on finitely many points.

    Off those points it is evaluated by the McShane extension
    ``f(x) = min_j f(p_j) + L d(x, p_j)``, which is ``L``-Lipschitz everywhere and agrees
    with the values on the points, so a potential certifies bounds for measures anywhere.

    Parameters
    ----------
    points : array_like, shape (n, d)
    values : array_like, shape (n,)
    metric : {"cityblock", "chebyshev", "euclidean"}
    lipschitz : float, default 1.0
    grid : Grid, optional
        Set when ``points`` are the nodes of a grid (enables fast checks).
    """

    def __init__(self, points: ArrayLike, values: ArrayLike, metric: str, lipschitz: float = 1.0,
                 grid: Optional[Grid] = None) -> None:
        self.points = np.atleast_2d(np.asarray(points, dtype=float))
        self.values = np.asarray(values, dtype=float).ravel()
        if self.values.shape[0] != self.points.shape[0]:
            raise ValueError("values must have one entry per point")
        self.metric = check_metric(metric)
        self.lipschitz = float(lipschitz)
        self.grid = grid

    def __call__(self, x: ArrayLike) -> NDArray[np.float64]:
        """Evaluate the McShane extension at points ``x`` of shape ``(m, d)``."""
        return mcshane_extension(self.values, self.points, x, self.metric, self.lipschitz)

    def max_violation(self) -> float:
        """``max_{i,j} f_i - f_j - L d(p_i, p_j)`` (``<= 0`` up to rounding when Lipschitz)."""
        env = lipschitz_envelope(self.values, self.points, self.metric, self.lipschitz, self.grid)
        return float(np.max(self.values - env))

    def __repr__(self) -> str:
        return f"Potential(n={self.values.size}, metric={self.metric!r}, lipschitz={self.lipschitz:g})"


def w1_lower_bound(potential_mu: ArrayLike, mu_weights: ArrayLike, potential_nu: ArrayLike,
                   nu_weights: ArrayLike) -> float:
    """``<f, mu> - <f, nu>`` for a 1-Lipschitz ``f`` evaluated on each measure's atoms."""
    return float(np.dot(potential_mu, mu_weights) - np.dot(potential_nu, nu_weights))


def barycenter_lower_bound(g_support: Sequence[ArrayLike], g_inputs: Sequence[ArrayLike],
                           input_weights: Sequence[ArrayLike]) -> float:
    """Theory fact 3: ``min_i sum_k g_k(s_i) - sum_k <g_k, nu_k>``.

    ``g_support[k]`` holds the ``lambda_k``-Lipschitz ``g_k`` on the support points,
    ``g_inputs[k]`` the same function on the atoms of ``nu_k``, whose masses are
    ``input_weights[k]``.
    """
    total = np.sum([np.asarray(g, dtype=float) for g in g_support], axis=0)
    pairs = zip(g_inputs, input_weights, strict=True)
    return float(np.min(total) - sum(float(np.dot(g, w)) for g, w in pairs))
