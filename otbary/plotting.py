"""Small matplotlib helpers to draw measures with one consistent look.

Nothing here picks a backend: scripts and tests that run without a display should call
``matplotlib.use("Agg")`` before importing :mod:`matplotlib.pyplot` (the demo does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from .measures import Measure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CMAP", "POINT_COLOR", "QUICK_ENV", "plot_histogram", "plot_points", "plot_measures", "quick_mode",
    "finish_example",
]

#: Colormap for every histogram image (mass density; light = empty).
CMAP = "magma_r"
#: Colour of point clouds.
POINT_COLOR = "#5b2a86"
#: Environment variable that puts every example in ``--quick`` mode (the docs gallery sets it).
QUICK_ENV = "OTBARY_EXAMPLES_QUICK"


def quick_mode(argv: Optional[Sequence[str]] = None) -> bool:
    """``True`` when an example should run at its small ``--quick`` size.

    Quick when ``--quick`` is among the command-line arguments (``argv``, default ``sys.argv``)
    or when the environment variable ``OTBARY_EXAMPLES_QUICK`` is ``1``.
    """
    import os
    import sys

    args = sys.argv[1:] if argv is None else list(argv)
    return "--quick" in args or os.environ.get(QUICK_ENV, "") == "1"


def finish_example(fig: "Figure", name: str, argv: Optional[Sequence[str]] = None) -> Optional[str]:
    """End an example script: save ``fig`` as ``DIR/<name>.png`` when ``--out DIR`` was given.

    Returns the path written, or ``None``. Without ``--out`` the figure is left to the caller
    (the docs gallery captures it; an interactive user can call ``plt.show()``).
    """
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else list(argv)
    if "--out" not in args:
        return None
    i = args.index("--out")
    if i + 1 >= len(args):
        raise ValueError("--out needs a folder")
    out = Path(args[i + 1])
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return str(path)


def plot_histogram(ax: "Axes", measure: Measure, *, title: Optional[str] = None, vmax: Optional[float] = None,
                   cmap: str = CMAP, **imshow_kwargs: Any) -> Any:
    """Draw a histogram on a 1D or 2D grid.

    2D: an image with the first axis horizontal (``x``) and the second vertical (``y``), origin at
    the lower left, extent = the grid's bounding box. 1D: a bar plot of the masses.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    measure : Measure
        A grid histogram (:meth:`~otbary.Measure.on_grid`).
    title : str, optional
    vmax : float, optional
        Upper end of the colour scale (default: the largest mass); share it across panels to
        compare masses.
    cmap : str, default :data:`CMAP`
    **imshow_kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (2D) or :meth:`~matplotlib.axes.Axes.bar` (1D).

    Returns
    -------
    The matplotlib artist (an ``AxesImage`` in 2D, a ``BarContainer`` in 1D).
    """
    grid = measure.grid
    if grid is None:
        raise ValueError("plot_histogram needs a grid histogram; use plot_points for point clouds")
    values = measure.values()
    artist: Any
    if grid.ndim == 1:
        artist = ax.bar(grid.axes[0], values, width=grid.spacing[0], color=POINT_COLOR, **imshow_kwargs)
    elif grid.ndim == 2:
        (x0, y0), (hx, hy) = grid.origin, grid.spacing
        nx, ny = grid.shape
        extent = (x0 - hx / 2, x0 + hx * (nx - 0.5), y0 - hy / 2, y0 + hy * (ny - 0.5))
        artist = ax.imshow(values.T, origin="lower", extent=extent, cmap=cmap, vmin=0.0,
                           vmax=vmax if vmax is not None else float(values.max()),
                           interpolation="nearest", **imshow_kwargs)
        ax.set_aspect("equal")
    else:
        raise ValueError(f"plot_histogram draws 1D and 2D grids; this one is {grid.ndim}D")
    if title:
        ax.set_title(title, fontsize=9)
    return artist


def plot_points(ax: "Axes", measure: Measure, *, title: Optional[str] = None, size: float = 400.0,
                color: str = POINT_COLOR, **scatter_kwargs: Any) -> Any:
    """Draw a 1D or 2D measure as points with area proportional to mass.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    measure : Measure
        Any measure (grid histograms are drawn atom by atom, zero-mass atoms omitted).
    title : str, optional
    size : float, default 400
        Marker area (points^2) of an atom of mass one.
    color : str, default :data:`POINT_COLOR`
    **scatter_kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    pts, w = measure.points, measure.weights
    keep = w > 0
    pts, w = pts[keep], w[keep]
    if measure.dim == 1:
        x, y = pts[:, 0], np.zeros(len(w))
    elif measure.dim == 2:
        x, y = pts[:, 0], pts[:, 1]
    else:
        raise ValueError(f"plot_points draws 1D and 2D measures; this one is {measure.dim}D")
    sizes = size * w / float(w.max())
    artist = ax.scatter(x, y, s=sizes, c=color, alpha=0.7, linewidths=0, **scatter_kwargs)
    if measure.dim == 2:
        ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=9)
    return artist


def plot_measures(measures: Sequence[Measure], titles: Optional[Sequence[str]] = None, *,
                  suptitle: Optional[str] = None, panel_size: float = 2.4) -> "Figure":
    """One row of panels, one per measure (histograms as images, point clouds as points).

    All histogram panels share one colour scale so that masses can be compared.

    Parameters
    ----------
    measures : sequence of Measure
    titles : sequence of str, optional
    suptitle : str, optional
    panel_size : float, default 2.4
        Width and height of one panel, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    ms = list(measures)
    if not ms:
        raise ValueError("plot_measures needs at least one measure")
    names = list(titles) if titles is not None else [""] * len(ms)
    if len(names) != len(ms):
        raise ValueError(f"titles has {len(names)} entries for {len(ms)} measures")
    fig, axes = plt.subplots(1, len(ms), figsize=(panel_size * len(ms), panel_size + 0.4), squeeze=False)
    vmax = max((float(m.weights.max()) for m in ms if m.grid is not None), default=None)
    for ax, m, name in zip(axes[0], ms, names, strict=True):
        if m.grid is not None and m.grid.ndim == 2:
            plot_histogram(ax, m, title=name, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            plot_points(ax, m, title=name)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig
