"""Arc sets of grid neighbour graphs (theory fact 2).

W1 between histograms on a regular grid is a min-cost flow on a graph whose nodes are the
grid nodes and whose arcs join a node ``p`` (a multi-index) to ``p + o`` for the offsets
``o`` of a fixed set, with length ``||o * spacing||`` in the metric's norm:

* cityblock: ``o = +-e_a`` (one step along one axis); the graph's path metric *is* the
  cityblock distance, so the flow is exact;
* chebyshev: all ``3^d - 1`` offsets in ``{-1, 0, 1}^d``; exact when the spacing is uniform;
* euclidean: primitive offsets (``gcd = 1``) with ``max |o_a| <= radius``; all primitive
  offsets make the path metric exact, a finite radius over-estimates distances, which is
  why the euclidean solver adds offsets priced by the dual until none is violated.

Arcs come in blocks, one per offset, each block holding every translate of its offset that
stays inside the grid; the blocks of ``o`` and ``-o`` are adjacent and aligned, so that arc
``j`` of one is the reverse of arc ``j`` of the other.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from numpy.typing import NDArray

from .geometry import Grid, check_metric, norm

__all__ = ["ArcSet", "neighbour_arcs", "neighbour_offsets", "offset_arcs", "primitive_offsets"]

IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class ArcSet:
    """Directed arcs of a grid graph, grouped in blocks of one offset each.

    Attributes
    ----------
    tail, head : ndarray of int
        Flat node numbers (C order) of each arc's ends.
    length : ndarray of float
        ``d(x_tail, x_head)``, the metric's length of the offset times the spacing.
    offsets : ndarray of int, shape (m, d)
        The offsets, in pairs ``(o, -o)``.
    reverse : ndarray of int
        ``reverse[e]`` is the arc from ``head[e]`` to ``tail[e]``.
    """

    tail: IntArray
    head: IntArray
    length: NDArray[np.float64]
    offsets: IntArray
    reverse: IntArray

    @property
    def size(self) -> int:
        """Number of arcs."""
        return int(self.tail.size)


def _positive(o: tuple[int, ...]) -> bool:
    """``o`` is lexicographically positive (its first non-zero entry is > 0)."""
    for v in o:
        if v:
            return v > 0
    return False


def primitive_offsets(ndim: int, radius: int) -> IntArray:
    """Integer offsets ``o != 0`` with ``gcd(o) = 1`` and ``max_a |o_a| <= radius``.

    Returned in pairs ``(o, -o)``, ``o`` lexicographically positive, shape ``(m, ndim)``.
    """
    r = int(radius)
    if r < 1:
        raise ValueError(f"radius must be >= 1; got {radius}")
    out: list[tuple[int, ...]] = []
    for o in itertools.product(range(-r, r + 1), repeat=ndim):
        if _positive(o) and math.gcd(*o) == 1:
            out.append(o)
            out.append(tuple(-v for v in o))
    return np.array(out, dtype=np.intp).reshape(-1, ndim)


def neighbour_offsets(ndim: int, metric: str, radius: int = 1) -> IntArray:
    """Offsets of the neighbour graph of ``metric`` (see the module docstring)."""
    metric = check_metric(metric)
    if metric == "cityblock":
        eye = np.eye(ndim, dtype=np.intp)
        return np.stack([eye, -eye], axis=1).reshape(-1, ndim)
    return primitive_offsets(ndim, radius)


def _slices(shape: tuple[int, ...], o: Iterable[int]) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
    """Index ranges of tails and heads of the translates of ``o`` inside ``shape``."""
    tails, heads = [], []
    for n, v in zip(shape, o, strict=True):
        tails.append(slice(max(0, -v), n - max(0, v)))
        heads.append(slice(max(0, v), n - max(0, -v)))
    return tuple(tails), tuple(heads)


def offset_arcs(grid: Grid, offsets: IntArray, metric: str) -> ArcSet:
    """All translates inside ``grid`` of the given offsets (pairs ``(o, -o)``).

    The arc of offset ``o`` from node ``p`` has length ``||o * spacing||`` (metric's norm),
    which is the distance between its ends.
    """
    metric = check_metric(metric)
    offs = np.asarray(offsets, dtype=np.intp).reshape(-1, grid.ndim)
    shape = np.array(grid.shape)
    offs = offs[np.all(np.abs(offs) < shape, axis=1)]
    idx = np.arange(grid.size, dtype=np.intp).reshape(grid.shape)
    spacing = np.asarray(grid.spacing)
    tails, heads, lengths, starts = [], [], [], [0]
    for o in offs:
        ts, hs = _slices(grid.shape, o)
        t = idx[ts].ravel()
        tails.append(t)
        heads.append(idx[hs].ravel())
        lengths.append(np.full(t.size, float(norm(o * spacing, metric))))
        starts.append(starts[-1] + t.size)
    if not tails:
        empty = np.zeros(0, dtype=np.intp)
        return ArcSet(empty, empty, np.zeros(0), offs, empty)
    reverse = np.empty(starts[-1], dtype=np.intp)
    for b in range(0, len(offs), 2):  # blocks o, -o are aligned: arc j of one reverses arc j of the other
        n = starts[b + 1] - starts[b]
        reverse[starts[b] : starts[b + 1]] = np.arange(starts[b + 1], starts[b + 1] + n)
        reverse[starts[b + 1] : starts[b + 2]] = np.arange(starts[b], starts[b] + n)
    return ArcSet(np.concatenate(tails), np.concatenate(heads), np.concatenate(lengths), offs, reverse)


def neighbour_arcs(
    grid: Grid, metric: str, radius: int = 1
) -> tuple[IntArray, IntArray, NDArray[np.float64]]:
    """Directed arcs ``(tail, head, length)`` of the neighbour graph of ``grid``.

    * ``"cityblock"``: one step ``+-1`` along each axis, length = that axis's spacing;
    * ``"chebyshev"``: the ``3^d - 1`` offsets of ``{-1, 0, 1}^d`` (``radius = 1``),
      length ``max_a |o_a| h_a``; exact graph metric when the spacing is uniform;
    * ``"euclidean"``: primitive offsets ``o`` with ``max_a |o_a| <= radius``, length
      ``||o * spacing||_2``.

    Parameters
    ----------
    grid : Grid
    metric : {"cityblock", "chebyshev", "euclidean"}
    radius : int, default 1
        Largest offset component (chebyshev and euclidean; cityblock ignores it).

    Returns
    -------
    tail, head : ndarray of int
        Flat node numbers (C order).
    length : ndarray of float
    """
    arcs = offset_arcs(grid, neighbour_offsets(grid.ndim, metric, radius), metric)
    return arcs.tail, arcs.head, arcs.length
