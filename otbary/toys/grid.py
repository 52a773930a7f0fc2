"""Toy histograms on a regular grid, parametrised in the grid's own units (the original five toys).

These functions take a :class:`~otbary.Grid` first and return a normalised histogram
(:meth:`~otbary.Measure.on_grid`); ``center``, ``radius``, ``sigma``, ... are coordinates of the
grid, so a toy keeps its shape when the grid is refined. They work on 1D, 2D and 3D grids.
:func:`translate` shifts a grid histogram by whole nodes (an exact translate) and
:func:`coordinatewise_median` is the l1 Fermat-Weber point of a set of shifts.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geometry import Grid
from ..measures import Measure

__all__ = [
    "gaussian",
    "disc",
    "ring",
    "mixture",
    "random_mixture",
    "translate",
    "coordinatewise_median",
    "GRID_TOYS",
]

FloatArray = NDArray[np.float64]
Center = Optional[Union[float, Sequence[float], ArrayLike]]


def _mesh(grid: Grid) -> list[FloatArray]:
    return list(np.meshgrid(*grid.axes, indexing="ij"))


def _center(grid: Grid, center: Center, name: str = "center") -> FloatArray:
    """``center`` as a vector of ``grid.ndim`` coordinates (default: the middle of the grid)."""
    if center is None:
        axes = zip(grid.shape, grid.spacing, grid.origin, strict=True)
        return np.array([o + h * (s - 1) / 2 for s, h, o in axes])
    c = np.asarray(center, dtype=float)
    if c.ndim == 0:
        c = np.full(grid.ndim, float(c))
    if c.shape != (grid.ndim,):
        raise ValueError(
            f"{name} must have {grid.ndim} coordinates for a {grid.ndim}D grid; got shape {c.shape}"
        )
    if not np.all(np.isfinite(c)):
        raise ValueError(f"{name} must be finite; got {c.tolist()}")
    return c


def _positive(value: float, name: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return v


def _to_measure(grid: Grid, values: FloatArray, what: str) -> Measure:
    if not np.any(values > 0):
        raise ValueError(
            f"{what} puts no mass on the grid {grid!r}: move it inside the grid or make it larger"
        )
    return Measure.on_grid(grid, values, normalize=True)


def _check_grid(grid: object) -> Grid:
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    return grid


# --------------------------------------------------------------------------- the toys


def gaussian(grid: Grid, center: Center = None, sigma: float = 0.1, truncate: float = 4.0) -> Measure:
    """Isotropic Gaussian blob, cut off at ``truncate`` standard deviations.

    Parameters
    ----------
    grid : Grid
        Where the histogram lives.
    center : float or sequence of float, optional
        Mean (default: the middle of the grid).
    sigma : float, default 0.1
        Standard deviation, in grid units.
    truncate : float, default 4.0
        Mass further than ``truncate * sigma`` from the center (Euclidean) is set to zero, so the
        blob has compact support and shifted copies are exact translates (``inf``: no cut-off).

    Returns
    -------
    Measure
        The normalised histogram on ``grid``.
    """
    grid = _check_grid(grid)
    c = _center(grid, center)
    s = _positive(sigma, "sigma")
    t = _positive(truncate, "truncate")
    r2 = sum((x - ci) ** 2 for x, ci in zip(_mesh(grid), c, strict=True))
    values = np.exp(-0.5 * r2 / s**2)
    values[r2 > (t * s) ** 2] = 0.0
    return _to_measure(grid, values, f"gaussian(center={c.tolist()}, sigma={s})")


def disc(grid: Grid, center: Center = None, radius: float = 0.25) -> Measure:
    """Uniform mass on the grid nodes within Euclidean distance ``radius`` of ``center``.

    Parameters
    ----------
    grid : Grid
    center : float or sequence of float, optional
        Default: the middle of the grid.
    radius : float, default 0.25

    Returns
    -------
    Measure
    """
    grid = _check_grid(grid)
    c = _center(grid, center)
    r = _positive(radius, "radius")
    r2 = sum((x - ci) ** 2 for x, ci in zip(_mesh(grid), c, strict=True))
    inside = (r2 <= r * r * (1 + 1e-12)).astype(float)
    return _to_measure(grid, inside, f"disc(center={c.tolist()}, radius={r})")


def ring(grid: Grid, center: Center = None, radius: float = 0.3, width: float = 0.05) -> Measure:
    """Gaussian annulus: mass ``exp(-(|x - c| - radius)^2 / (2 width^2))``.

    Parameters
    ----------
    grid : Grid
    center : float or sequence of float, optional
        Default: the middle of the grid.
    radius : float, default 0.3
    width : float, default 0.05

    Returns
    -------
    Measure
    """
    grid = _check_grid(grid)
    c = _center(grid, center)
    r = _positive(radius, "radius")
    w = _positive(width, "width")
    dist = np.sqrt(sum((x - ci) ** 2 for x, ci in zip(_mesh(grid), c, strict=True)))
    return _to_measure(grid, np.exp(-0.5 * ((dist - r) / w) ** 2), f"ring(radius={r})")


def mixture(
    grid: Grid,
    centers: ArrayLike,
    sigmas: Union[float, ArrayLike] = 0.08,
    weights: Optional[ArrayLike] = None,
    truncate: float = 4.0,
) -> Measure:
    """Mixture of isotropic Gaussian blobs.

    Parameters
    ----------
    grid : Grid
    centers : array_like, shape (m, d)
        Component means.
    sigmas : float or array_like, shape (m,), default 0.08
        Component standard deviations.
    weights : array_like, shape (m,), optional
        Non-negative component weights (rescaled to sum to one); default uniform. Each
        component is normalised on the grid before weighting, so ``weights`` are the masses.
    truncate : float, default 4.0
        Per-component cut-off, as in :func:`gaussian`.

    Returns
    -------
    Measure
    """
    grid = _check_grid(grid)
    cs = np.asarray(centers, dtype=float)
    if cs.ndim == 1:
        cs = cs[None, :]
    if cs.ndim != 2 or cs.shape[0] == 0 or cs.shape[1] != grid.ndim:
        raise ValueError(f"centers must have shape (m, {grid.ndim}) with m >= 1; got {cs.shape}")
    m = cs.shape[0]
    sg = np.asarray(sigmas, dtype=float)
    if sg.ndim == 0:
        sg = np.full(m, float(sg))
    if sg.shape != (m,):
        raise ValueError(f"sigmas must be a number or have one entry per component ({m}); got {sg.shape}")
    if weights is None:
        w = np.full(m, 1.0 / m)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (m,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be {m} non-negative numbers with a positive sum; got {w!r}")
        w = w / w.sum()
    total = np.zeros(grid.shape)
    for c, s, wk in zip(cs, sg, w, strict=True):
        total += wk * gaussian(grid, c, float(s), truncate).values()
    return _to_measure(grid, total, "mixture")


def random_mixture(
    grid: Grid,
    n_components: int = 3,
    seed: int = 0,
    sigma_range: tuple[float, float] = (0.04, 0.1),
    margin: float = 0.15,
) -> Measure:
    """A reproducible random Gaussian mixture inside the grid's bounding box.

    Parameters
    ----------
    grid : Grid
    n_components : int, default 3
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same toy.
    sigma_range : (float, float), default (0.04, 0.1)
        Standard deviations are drawn uniformly in this range, as a fraction of the grid's extent.
    margin : float, default 0.15
        Centers are drawn uniformly in the box shrunk by this fraction on every side.

    Returns
    -------
    Measure
    """
    grid = _check_grid(grid)
    if int(n_components) != n_components or n_components < 1:
        raise ValueError(f"n_components must be a positive integer; got {n_components!r}")
    lo_s, hi_s = (float(v) for v in sigma_range)
    if not 0 < lo_s <= hi_s:
        raise ValueError(f"sigma_range must satisfy 0 < low <= high; got {sigma_range!r}")
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5); got {margin!r}")
    rng = np.random.default_rng(seed)
    lo = np.array(grid.origin)
    ext = np.array([h * (s - 1) for s, h in zip(grid.shape, grid.spacing, strict=True)])
    scale = float(ext.max()) if ext.max() > 0 else 1.0
    centers = lo + ext * rng.uniform(margin, 1 - margin, size=(int(n_components), grid.ndim))
    sigmas = scale * rng.uniform(lo_s, hi_s, size=int(n_components))
    weights = rng.uniform(0.5, 1.5, size=int(n_components))
    return mixture(grid, centers, sigmas, weights)


ToyFunction = Callable[..., Measure]

GRID_TOYS: dict[str, ToyFunction] = {
    "disc": disc,
    "gaussian": gaussian,
    "mixture": mixture,
    "random_mixture": random_mixture,
    "ring": ring,
}


# --------------------------------------------------------------------------- helpers


def translate(measure: Measure, shift: Sequence[int], tol: float = 0.0) -> Measure:
    """Shift a grid histogram by whole nodes: an exact translate by ``shift * spacing``.

    Parameters
    ----------
    measure : Measure
        A histogram on a grid (:meth:`~otbary.Measure.on_grid`).
    shift : sequence of int
        Number of nodes to move along each axis (may be negative).
    tol : float, default 0.0
        Mass allowed to fall off the grid (it is dropped and the rest renormalised).

    Returns
    -------
    Measure
        The translated histogram on the same grid.

    Raises
    ------
    ValueError
        If ``measure`` is not a grid histogram, ``shift`` has the wrong length or is not made of
        integers, or more than ``tol`` mass would leave the grid.
    """
    grid = measure.grid
    if grid is None:
        raise ValueError("translate needs a grid histogram (Measure.on_grid); got a point cloud")
    sh = np.asarray(shift)
    if sh.shape != (grid.ndim,) or not np.all(np.equal(np.mod(sh, 1), 0)):
        raise ValueError(f"shift must be {grid.ndim} integers (nodes per axis); got {shift!r}")
    src = measure.values()
    out = np.zeros_like(src)
    src_sl, dst_sl = [], []
    for s, n in zip(sh.astype(int), grid.shape, strict=True):
        src_sl.append(slice(max(0, -s), min(n, n - s)))
        dst_sl.append(slice(max(0, s), min(n, n + s)))
    out[tuple(dst_sl)] = src[tuple(src_sl)]
    lost = 1.0 - float(out.sum())
    if lost > tol + 1e-12:
        raise ValueError(f"translating by {sh.tolist()} moves mass {lost:.3g} off the grid (tol={tol:g})")
    return Measure.on_grid(grid, out, normalize=True)


def coordinatewise_median(points: ArrayLike, weights: Optional[ArrayLike] = None) -> FloatArray:
    """Weighted coordinatewise (lower) median of ``points``: the l1 Fermat-Weber point.

    For the cityblock metric a barycenter of translates ``rho + a_k`` is ``rho`` shifted by this
    point of the ``a_k`` (theory fact 6). Along each axis it is the smallest value whose
    cumulative weight reaches one half; it is unique when no partial sum equals one half exactly.

    Parameters
    ----------
    points : array_like, shape (n, d)
    weights : array_like, shape (n,), optional
        Non-negative, default uniform (rescaled to sum to one).

    Returns
    -------
    ndarray, shape (d,)
    """
    p = np.atleast_2d(np.asarray(points, dtype=float))
    w = np.full(p.shape[0], 1.0 / p.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (p.shape[0],) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be {p.shape[0]} non-negative numbers with a positive sum")
    w = w / w.sum()
    med = np.empty(p.shape[1])
    for j in range(p.shape[1]):
        order = np.argsort(p[:, j], kind="stable")
        cum = np.cumsum(w[order])
        med[j] = p[order[np.searchsorted(cum, 0.5 - 1e-12)], j]
    return med
