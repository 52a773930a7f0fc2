"""Discrete probability measures: point clouds and histograms on grids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .geometry import Grid, check_metric, pairwise_distances

__all__ = ["Measure", "MASS_TOL", "as_measure", "as_points", "check_weights", "check_measures", "check_pair",
           "common_grid", "to_pot"]

#: Absolute tolerance on ``|sum(weights) - 1|`` for a measure or a weight vector.
MASS_TOL = 1e-8


def _check_mass(values: NDArray[np.float64], name: str, normalize: bool) -> NDArray[np.float64]:
    if values.size == 0:
        raise ValueError(f"{name} is empty: a measure needs at least one atom")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinite mass")
    if np.any(values < 0):
        raise ValueError(f"{name} contains negative mass (min {values.min():.3g})")
    total = float(values.sum())
    if total <= 0:
        raise ValueError(f"{name} has zero total mass")
    if normalize:
        return values / total
    if abs(total - 1.0) > MASS_TOL:
        raise ValueError(
            f"{name} sums to {total:.12g}, not 1 (tolerance {MASS_TOL:g}); "
            "pass normalize=True to rescale it to a probability measure"
        )
    return values / total


def check_weights(weights: Optional[ArrayLike], k: int, name: str = "weights") -> NDArray[np.float64]:
    """Validate barycenter weights (POT convention: non-negative, summing to one).

    ``None`` gives uniform weights ``1/k``. A vector of the wrong length, with a negative,
    NaN or infinite entry, or not summing to one (within :data:`MASS_TOL`) raises
    ``ValueError``; nothing is rescaled silently.
    """
    if weights is None:
        return np.full(k, 1.0 / k)
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers") from exc
    if w.ndim != 1 or w.shape[0] != k:
        raise ValueError(f"{name} must have one entry per measure ({k}); got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if np.any(w < 0):
        raise ValueError(f"{name} must be non-negative; got {w.tolist()}")
    if abs(w.sum() - 1.0) > MASS_TOL:
        raise ValueError(f"{name} must sum to one (POT convention); they sum to {w.sum():.12g}")
    return w / w.sum()


class Measure:
    """A discrete probability measure ``mu = sum_i w_i delta_{x_i}``.

    Parameters
    ----------
    points : array_like, shape (n, d) or (n,)
        Atom locations; a 1D array is read as ``n`` points on the line.
    weights : array_like, shape (n,), optional
        Non-negative masses summing to one. ``None`` gives the uniform measure.
    normalize : bool, default False
        Rescale ``weights`` to sum to one instead of raising when they do not.

    Notes
    -----
    A measure made by :meth:`on_grid` remembers its :class:`~otbary.geometry.Grid`; that
    enables the grid fast paths (min-cost flow on the neighbour graph). Atoms of zero mass
    are kept.
    """

    __slots__ = ("_points", "_weights", "_grid")

    def __init__(
        self,
        points: ArrayLike,
        weights: Optional[ArrayLike] = None,
        *,
        normalize: bool = False,
        _grid: Optional[Grid] = None,
    ) -> None:
        try:
            pts = np.array(points, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("points must be an array of numbers") from exc
        if pts.ndim == 1:
            pts = pts[:, None]
        if pts.ndim != 2:
            raise ValueError(f"points must have shape (n, d) or (n,); got {pts.shape}")
        if pts.shape[0] == 0:
            raise ValueError("points is empty: a measure needs at least one atom")
        if pts.shape[1] == 0:
            raise ValueError("points must have at least one coordinate")
        if not np.all(np.isfinite(pts)):
            raise ValueError("points contain NaN or infinite coordinates")
        if weights is None:
            w = np.full(pts.shape[0], 1.0 / pts.shape[0])
        else:
            try:
                w = np.asarray(weights, dtype=float)
            except (TypeError, ValueError) as exc:
                raise TypeError("weights must be an array of numbers") from exc
            if w.shape != (pts.shape[0],):
                raise ValueError(f"weights must have shape ({pts.shape[0]},) to match points; got {w.shape}")
            w = _check_mass(w, "weights", normalize)
        pts.setflags(write=False)
        w = np.array(w, dtype=float)
        w.setflags(write=False)
        self._points = pts
        self._weights = w
        self._grid = _grid

    @classmethod
    def on_grid(cls, grid: Grid, values: ArrayLike, *, normalize: bool = False) -> "Measure":
        """Histogram on ``grid``: ``values`` of shape ``grid.shape`` or ``(grid.size,)``.

        The atoms are all grid nodes (zero-mass nodes included), in C order.
        """
        if not isinstance(grid, Grid):
            raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
        try:
            v = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("values must be an array of numbers") from exc
        if v.shape not in (grid.shape, (grid.size,)):
            raise ValueError(f"values must have shape {grid.shape} or ({grid.size},); got {v.shape}")
        w = _check_mass(v.ravel(), "values", normalize)
        return cls(grid.points, w, _grid=grid)

    @classmethod
    def from_pot(cls, x: ArrayLike, a: Optional[ArrayLike] = None, *, normalize: bool = False) -> "Measure":
        """From POT-style arrays: support ``x`` (n, d) and weights ``a`` (n,)."""
        return cls(x, a, normalize=normalize)

    def to_pot(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """POT-style ``(x, a)``: support of shape ``(n, d)`` and weights of shape ``(n,)``."""
        return np.array(self._points), np.array(self._weights)

    @property
    def points(self) -> NDArray[np.float64]:
        """Atom locations, shape ``(n, d)`` (read-only)."""
        return self._points

    @property
    def weights(self) -> NDArray[np.float64]:
        """Atom masses, shape ``(n,)`` (read-only), summing to one."""
        return self._weights

    @property
    def grid(self) -> Optional[Grid]:
        """The grid this histogram lives on, or ``None`` for a point cloud."""
        return self._grid

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the ambient space."""
        return int(self._points.shape[1])

    @property
    def size(self) -> int:
        """Number of atoms ``n`` (zero-mass atoms included)."""
        return int(self._points.shape[0])

    def values(self) -> NDArray[np.float64]:
        """Masses reshaped to the grid's shape (grid measures only)."""
        if self._grid is None:
            raise ValueError("values() needs a grid measure; this measure is a point cloud")
        return self._weights.reshape(self._grid.shape)

    def compress(self, tol: float = 0.0) -> "Measure":
        """Point cloud with the atoms of mass ``<= tol`` removed (mass renormalised)."""
        keep = self._weights > tol
        return Measure(self._points[keep], self._weights[keep], normalize=True)

    def mean(self) -> NDArray[np.float64]:
        """Barycentre (expectation) of the measure."""
        return np.asarray(self._weights @ self._points)

    def __repr__(self) -> str:
        where = f"grid={self._grid!r}" if self._grid is not None else f"n={self.size}, d={self.dim}"
        return f"Measure({where})"


def as_points(x: object, name: str, what: str = "an array of points") -> NDArray[np.float64]:
    """``x`` as a finite ``(n, d)`` float array (a 1D array: ``n`` points on the line).

    Raises ``TypeError`` (not numbers) or ``ValueError`` (empty, more than two axes, NaN or
    infinite entries), naming ``name``.
    """
    try:
        pts = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be {what} of numbers; got {type(x).__name__}") from exc
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[0] == 0 or pts.shape[1] == 0:
        raise ValueError(f"{name}: {what} must have shape (n, d) with n, d >= 1; got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    return pts


def as_measure(x: object, name: str) -> Measure:
    r"""``x`` itself if it is a :class:`Measure`; an array of points as its uniform empirical measure.

    POT's habit: an ``(n, d)`` array (or list) of points stands for
    :math:`\frac1n \sum_{i} \delta_{x_i}`; a 1D array of ``n`` numbers for ``n`` points on the
    line (:func:`as_points`). Anything else raises ``TypeError`` naming ``name``.
    """
    if isinstance(x, Measure):
        return x
    if not isinstance(x, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be an otbary.Measure or an (n, d) array of points; "
                        f"got {type(x).__name__}")
    return Measure(as_points(x, name))


def check_pair(mu: object, nu: object) -> tuple[Measure, Measure]:
    """``mu`` and ``nu`` as :class:`Measure` objects (:func:`as_measure`) of one dimension.

    Raises
    ------
    TypeError
        Either is neither a Measure nor an array of points (the message names ``mu`` or ``nu``).
    ValueError
        Their dimensions differ.
    """
    mu, nu = as_measure(mu, "mu"), as_measure(nu, "nu")
    if mu.dim != nu.dim:
        raise ValueError(f"mu and nu have different dimensions: {mu.dim} and {nu.dim}")
    return mu, nu


def check_measures(measures: Sequence[Measure], name: str = "measures") -> list[Measure]:
    """A non-empty sequence of :class:`Measure` (or arrays of points, :func:`as_measure`), one dimension."""
    if isinstance(measures, (Measure, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of Measures or arrays of points, not a single "
                        f"{type(measures).__name__}")
    if isinstance(measures, (str, bytes)) or not isinstance(measures, Iterable):
        raise TypeError(f"{name} must be a sequence of Measures or arrays of points; "
                        f"got {type(measures).__name__}")
    ms = [as_measure(m, f"{name}[{i}]") for i, m in enumerate(measures)]
    if not ms:
        raise ValueError(f"{name} is empty")
    dims = {m.dim for m in ms}
    if len(dims) > 1:
        raise ValueError(f"{name} have different dimensions: {sorted(dims)}")
    return ms


def common_grid(measures: Sequence[Measure]) -> Optional[Grid]:
    """The grid shared by all measures, or ``None`` if any is a point cloud or grids differ."""
    grids = [m.grid for m in measures]
    if any(g is None for g in grids):
        return None
    first = grids[0]
    return first if all(g == first for g in grids) else None


def to_pot(
    measures: Sequence[Measure], metric: str, support: Optional[ArrayLike] = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """POT's dense form of measures on one support: ``(A, M, points)``.

    ``A[:, k]`` holds the masses of ``measures[k]`` on ``points`` (shape ``(s, K)``, the input of
    :func:`ot.lp.barycenter`), ``M[i, j] = d(x_i, x_j)`` the exact cost matrix
    (:func:`otbary.geometry.pairwise_distances`, SciPy's ``cdist``;
    POT's own euclidean ``ot.dist`` expands ``|x|^2 + |y|^2 - 2 x.y`` and loses about 1e-8). The
    support is ``support`` if given, else the shared grid's nodes, else the union of the atoms;
    every atom of positive mass must lie on it.

    Raises
    ------
    ValueError
        An atom of positive mass is not a support point.
    """
    ms = check_measures(measures)
    metric = check_metric(metric)
    if support is not None:
        pts = np.atleast_2d(np.asarray(support, dtype=float))
    else:
        grid = common_grid(ms)
        pts = grid.points if grid is not None else np.unique(np.concatenate([m.points for m in ms]), axis=0)
    M = pairwise_distances(pts, pts, metric)
    if support is None and common_grid(ms) is not None:
        return np.stack([np.asarray(m.weights, dtype=float) for m in ms], axis=1), M, pts
    index = {tuple(p): i for i, p in enumerate(pts)}
    A = np.zeros((pts.shape[0], len(ms)))
    for k, m in enumerate(ms):
        for p, w in zip(m.points, m.weights, strict=True):
            if w > 0:
                if tuple(p) not in index:
                    raise ValueError(f"measures[{k}] has an atom of positive mass at {p}, not on the support")
                A[index[tuple(p)], k] += w
    return A, M, pts
