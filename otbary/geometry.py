"""Regular grids and ground metrics.

The three ground metrics are the distances of the norms ``||x||_1`` (``"cityblock"``),
``||x||_inf`` (``"chebyshev"``) and ``||x||_2`` (``"euclidean"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Grid", "METRICS", "Metric", "box_diameter", "check_metric", "norm", "pairwise_distances"]

Metric = Literal["cityblock", "chebyshev", "euclidean"]
METRICS: tuple[str, ...] = ("cityblock", "chebyshev", "euclidean")


def check_metric(metric: object, name: str = "metric") -> str:
    """Return ``metric`` if it is one of :data:`METRICS`, else raise ``ValueError``/``TypeError``."""
    if not isinstance(metric, str):
        raise TypeError(f"{name} must be a string, one of {METRICS}; got {type(metric).__name__}")
    if metric not in METRICS:
        raise ValueError(f"{name}={metric!r} is unknown; choose one of {METRICS}")
    return metric


def norm(v: ArrayLike, metric: str, axis: int = -1) -> NDArray[np.float64]:
    """Norm of vectors along ``axis`` for the metric's norm (l1, l-infinity or l2)."""
    metric = check_metric(metric)
    a = np.moveaxis(np.asarray(v, dtype=float), axis, -1)
    if metric == "euclidean":
        # einsum: several times faster than a reduction along a short last axis
        return np.sqrt(np.einsum("...i,...i->...", a, a))
    if a.ndim > 1 and 0 < a.shape[-1] <= 8:  # a few columns: elementwise passes beat a short reduction
        out = np.abs(a[..., 0])
        for i in range(1, a.shape[-1]):
            (np.add if metric == "cityblock" else np.maximum)(out, np.abs(a[..., i]), out=out)
        return out
    return np.sum(np.abs(a), axis=-1) if metric == "cityblock" else np.max(np.abs(a), axis=-1)


def box_diameter(points: ArrayLike, metric: str) -> float:
    r"""The diameter of the bounding box of ``points`` (shape ``(n, d)``) for ``metric``.

    .. math:: \operatorname{diam} = \lVert \max_i x_i - \min_i x_i \rVert

    (coordinate-wise max and min): an upper bound on every distance between the points, and
    the distance between opposite corners of a grid. ``0.0`` for no points.
    """
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    return float(norm(np.ptp(pts, axis=0), metric)) if pts.size else 0.0


def pairwise_distances(x: ArrayLike, y: ArrayLike, metric: str) -> NDArray[np.float64]:
    """Matrix ``D[i, j] = d(x_i, y_j)`` for point arrays of shape ``(n, d)`` and ``(m, d)``."""
    metric = check_metric(metric)
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    ya = np.atleast_2d(np.asarray(y, dtype=float))
    if xa.shape[1] != ya.shape[1]:
        raise ValueError(f"points of different dimensions: x has {xa.shape[1]}, y has {ya.shape[1]}")
    from scipy.spatial.distance import cdist

    return np.asarray(cdist(xa, ya, metric=metric), dtype=float)


def _per_axis(value: Union[float, Sequence[float], ArrayLike], ndim: int, name: str) -> tuple[float, ...]:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(ndim, float(arr))
    if arr.shape != (ndim,):
        raise ValueError(
            f"{name} must be a scalar or have one entry per axis ({ndim}); got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr.tolist()}")
    return tuple(float(a) for a in arr)


@dataclass(frozen=True)
class Grid:
    """A regular 1D, 2D or 3D grid of points.

    Node ``(i_1, ..., i_d)`` sits at ``origin + spacing * (i_1, ..., i_d)``; nodes are
    numbered in C order (the last axis varies fastest), which is the order of
    :attr:`points` and of flattened histograms.

    Parameters
    ----------
    shape : int or tuple of int
        Number of nodes along each axis (1 to 3 axes, each at least 1).
    spacing : float or sequence of float, default 1.0
        Distance between neighbouring nodes, per axis or common; must be positive.
    origin : float or sequence of float, default 0.0
        Coordinates of node ``(0, ..., 0)``.
    """

    shape: tuple[int, ...]
    spacing: tuple[float, ...] = field(default=(1.0,))
    origin: tuple[float, ...] = field(default=(0.0,))

    def __init__(
        self,
        shape: Union[int, Sequence[int]],
        spacing: Union[float, Sequence[float]] = 1.0,
        origin: Union[float, Sequence[float]] = 0.0,
    ) -> None:
        if isinstance(shape, (int, np.integer)):
            shape_t: tuple[int, ...] = (int(shape),)
        else:
            try:
                shape_t = tuple(int(s) for s in shape)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"shape must be an int or a sequence of ints; got {shape!r}") from exc
            if any(float(s) != int(s) for s in shape):
                raise TypeError(f"shape must hold integers; got {shape!r}")
        if not 1 <= len(shape_t) <= 3:
            raise ValueError(f"shape must have 1 to 3 axes; got {len(shape_t)}")
        if any(s < 1 for s in shape_t):
            raise ValueError(f"shape entries must be >= 1; got {shape_t}")
        sp = _per_axis(spacing, len(shape_t), "spacing")
        if any(s <= 0 for s in sp):
            raise ValueError(f"spacing must be positive; got {sp}")
        object.__setattr__(self, "shape", shape_t)
        object.__setattr__(self, "spacing", sp)
        object.__setattr__(self, "origin", _per_axis(origin, len(shape_t), "origin"))

    @property
    def ndim(self) -> int:
        """Number of axes ``d``."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of nodes ``N``."""
        return int(np.prod(self.shape))

    @property
    def axes(self) -> list[NDArray[np.float64]]:
        """Node coordinates along each axis."""
        return [np.asarray(o + h * np.arange(s), dtype=float)
                for s, h, o in zip(self.shape, self.spacing, self.origin, strict=True)]

    @property
    def points(self) -> NDArray[np.float64]:
        """Node coordinates, shape ``(N, d)``, C order."""
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)

    def index(self, multi_index: ArrayLike) -> NDArray[np.intp]:
        """Flat node numbers of integer multi-indices of shape ``(..., d)``."""
        mi = np.asarray(multi_index, dtype=np.intp)
        return np.ravel_multi_index(tuple(np.moveaxis(mi, -1, 0)), self.shape)

    def nearest(self, points: ArrayLike) -> NDArray[np.intp]:
        """Flat node numbers of the grid node nearest each point of ``points`` (shape ``(n, d)``).

        Per axis, ``rint((x - origin) / spacing)`` clipped to the grid: the nearest node in every
        metric of :data:`METRICS`; points outside the grid go to the nearest boundary node.
        """
        x = np.asarray(points, dtype=float)
        idx = np.rint((x - np.asarray(self.origin)) / np.asarray(self.spacing)).astype(np.intp)
        return self.index(np.clip(idx, 0, np.asarray(self.shape) - 1))

    def diameter(self, metric: str) -> float:
        """Distance between opposite corners, ``||spacing * (shape - 1)||``: the largest distance
        between two nodes (:func:`box_diameter` of the nodes)."""
        extent = np.asarray(self.spacing) * (np.asarray(self.shape) - 1)
        return float(norm(extent, metric))

    def __repr__(self) -> str:
        return f"Grid(shape={self.shape}, spacing={self.spacing}, origin={self.origin})"
