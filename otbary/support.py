"""What a support is, and where a barycenter is searched (:func:`resolve_support`).

Below both solver families (:mod:`otbary.exact`, :mod:`otbary.entropic`) and the dispatcher
:func:`otbary.barycenter`, which all take a ``support`` argument of type :data:`SupportArg`.
"""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np
from numpy.typing import ArrayLike

from .geometry import Grid
from .measures import Measure, common_grid

__all__ = ["FixedSupportArg", "SupportArg", "resolve_support"]

#: A fixed set of points: a :class:`~otbary.Grid` (its nodes), a :class:`~otbary.Measure` (its
#: atoms) or an ``(n, d)`` array of points.
FixedSupportArg = Union[Grid, Measure, ArrayLike]
#: Where a barycenter may live: ``None`` (the inputs' shared grid, the union of their
#: supports, or all measures on the line), ``"free"`` (all measures, small inputs), or a fixed
#: support (:data:`FixedSupportArg`). Ball problems take ``Optional[FixedSupportArg]`` (no
#: ``"free"``), cvxpy building blocks a :data:`FixedSupportArg`.
SupportArg = Union[None, str, FixedSupportArg]



def resolve_support(measures: Sequence[Measure], support: SupportArg) -> tuple[str, object]:
    """Decide where the barycenter is searched.

    Returns ``(kind, data)`` with kind one of ``"1d"`` (closed form, all measures),
    ``"grid"`` (data: the shared Grid), ``"points"`` (data: support points, ``(n, d)``)
    or ``"free"``.
    """
    d = measures[0].dim
    if isinstance(support, str):
        if support != "free":
            raise ValueError(f"support={support!r} is unknown; use None, 'free', a Grid, a Measure or points")
        return "free", None
    if support is None:
        if d == 1 and all(m.grid is None for m in measures):
            return "1d", None
        grid = common_grid(measures)
        if grid is not None:
            return "grid", grid
        if any(m.grid is not None for m in measures) and all(m.grid is not None for m in measures):
            raise ValueError(
                "measures are histograms on different grids; pass support= (a Grid, a Measure or points)"
            )
        if d == 1:
            return "1d", None
        pts = np.unique(np.concatenate([m.compress().points for m in measures]), axis=0)
        return "points", pts
    if isinstance(support, Grid):
        if support.ndim != d:
            raise ValueError(f"support grid has dimension {support.ndim}, measures have {d}")
        if all(m.grid == support for m in measures):
            return "grid", support
        return "points", support.points
    if isinstance(support, Measure):
        if support.dim != d:
            raise ValueError(f"support has dimension {support.dim}, measures have {d}")
        if support.grid is not None and all(m.grid == support.grid for m in measures):
            return "grid", support.grid
        return "points", np.asarray(support.points)
    try:
        pts = np.asarray(support, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("support must be None, 'free', a Grid, a Measure or an array of points") from exc
    if pts.ndim == 1 and d == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[1] != d or pts.shape[0] == 0:
        raise ValueError(f"support points must have shape (n, {d}) with n >= 1; got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise ValueError("support points contain NaN or infinite coordinates")
    return "points", pts
