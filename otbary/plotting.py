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
    "CMAP", "POINT_COLOR", "BARY_COLOR", "COLORS", "QUICK_ENV", "plot_histogram", "plot_points",
    "plot_measures", "plot_samples", "plot_cdf", "plot_simplex_grid", "plot_geodesic_strip",
    "objective_label",
    "weights_label", "hide_ticks", "quick_mode", "finish_example",
]

#: Colormap for every histogram image (mass density; light = empty).
CMAP = "magma_r"
#: Colour of point clouds.
POINT_COLOR = "#5b2a86"
#: Colour of a barycenter drawn as a line or points (CDFs, clouds).
BARY_COLOR = "#d1495b"
#: Colours of the inputs ``nu_1, nu_2, ...`` drawn as lines or points, in order.
COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#66a61e", "#e6ab02", "#666666")
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


def hide_ticks(ax: "Axes") -> None:
    """Remove the ticks of an image panel (the coordinates are in the caption)."""
    ax.set_xticks([])
    ax.set_yticks([])


def objective_label(cost: float, lower_bound: Optional[float] = None, name: str = "objective") -> str:
    """``"objective 0.1234"`` (with ``" >= 0.1230"`` when a certified lower bound is given).

    The objective is :math:`\\sum_k \\lambda_k W_1(\\mu, \\nu_k)`; every figure labels candidates
    with it so that they can be compared (theory fact 5: values, not measures, are unique).
    """
    text = f"{name} {cost:.4f}"
    if lower_bound is not None:
        text += f" (lb {lower_bound:.4f})"
    return text


def weights_label(weights: Sequence[float], symbol: str = "λ") -> str:
    """``"λ = (0.40, 0.35, 0.25)"``."""
    return f"{symbol} = (" + ", ".join(f"{float(w):.2f}" for w in weights) + ")"


def plot_samples(ax: "Axes", x: Any, *, title: Optional[str] = None, color: str = POINT_COLOR,
                 size: float = 1.5, **scatter_kwargs: Any) -> Any:
    """Draw many i.i.d. samples (an ``(n, 2)`` array, or ``(n, 1)`` / ``(n,)`` on the x axis) as small dots.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like, shape (n, 2) or (n, 1) or (n,)
    title : str, optional
    color : str, default :data:`POINT_COLOR`
    size : float, default 1.5
        Marker area in points^2.
    **scatter_kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    pts = np.asarray(x, dtype=float)
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[1] not in (1, 2):
        raise ValueError(f"x must have shape (n, 1) or (n, 2); got {pts.shape}")
    y = pts[:, 1] if pts.shape[1] == 2 else np.zeros(len(pts))
    artist = ax.scatter(pts[:, 0], y, s=size, c=color, alpha=0.5, linewidths=0, **scatter_kwargs)
    if pts.shape[1] == 2:
        ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=9)
    return artist


def plot_cdf(ax: "Axes", measure: Measure, *, label: Optional[str] = None, color: Optional[str] = None,
             **step_kwargs: Any) -> Any:
    """Draw the CDF :math:`F(x) = \\mu((-\\infty, x])` of a 1D measure as a step function.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    measure : Measure
        A 1D measure (grid histogram or point cloud).
    label, color : str, optional
    **step_kwargs
        Passed to :meth:`~matplotlib.axes.Axes.step`.

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    if measure.dim != 1:
        raise ValueError(f"plot_cdf draws 1D measures; this one is {measure.dim}D")
    order = np.argsort(measure.points[:, 0], kind="stable")
    x = measure.points[order, 0]
    cdf = np.cumsum(measure.weights[order])
    return ax.step(np.r_[x[0], x], np.r_[0.0, cdf], where="post", label=label, color=color, **step_kwargs)


def plot_simplex_grid(cells: Sequence[Sequence[Measure]], titles: Optional[Sequence[Sequence[str]]] = None, *,
                      highlight: Sequence[tuple[int, int]] = (), suptitle: Optional[str] = None,
                      panel_size: float = 1.5) -> "Figure":
    """A rows x columns table of 2D histograms (e.g. barycenters at a grid of weights).

    Every panel shares one colour scale (:data:`CMAP`, 0 to the largest mass of all panels).

    Parameters
    ----------
    cells : sequence of sequence of Measure
        ``cells[i][j]`` is drawn in row ``i`` (top to bottom), column ``j``.
    titles : sequence of sequence of str, optional
        Same shape as ``cells``; small titles above the panels.
    highlight : sequence of (int, int)
        Panels framed in :data:`BARY_COLOR` (e.g. the inputs at the corners).
    suptitle : str, optional
    panel_size : float, default 1.5
        Side of one panel, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    rows = [list(r) for r in cells]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("cells must be a non-empty rectangular table of measures")
    nr, nc = len(rows), len(rows[0])
    if titles is not None and ([len(t) for t in titles] != [nc] * nr):
        raise ValueError(f"titles must have the shape of cells ({nr} x {nc})")
    fig, axes = plt.subplots(nr, nc, figsize=(panel_size * nc, panel_size * nr + 0.5), squeeze=False)
    vmax = max(float(m.weights.max()) for r in rows for m in r)
    marked = {(int(i), int(j)) for i, j in highlight}
    for i in range(nr):
        for j in range(nc):
            ax = axes[i, j]
            plot_histogram(ax, rows[i][j], vmax=vmax, title=titles[i][j] if titles is not None else None)
            hide_ticks(ax)
            if (i, j) in marked:
                for spine in ax.spines.values():
                    spine.set_edgecolor(BARY_COLOR)
                    spine.set_linewidth(2.0)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def plot_geodesic_strip(measures: Sequence[Measure], ts: Sequence[float], *, suptitle: Optional[str] = None,
                        extra: Optional[Sequence[str]] = None, panel_size: float = 2.0) -> "Figure":
    """One row of histograms ``mu_t`` along a path, titled ``t = ...`` (plus an ``extra`` line each).

    Parameters
    ----------
    measures : sequence of Measure
        The measures along the path, in order.
    ts : sequence of float
        Their times in ``[0, 1]``.
    suptitle : str, optional
    extra : sequence of str, optional
        A second title line per panel (e.g. ``W1(mu_0, mu_t)``).
    panel_size : float, default 2.0

    Returns
    -------
    matplotlib.figure.Figure
    """
    ms, tt = list(measures), [float(t) for t in ts]
    if len(ms) != len(tt):
        raise ValueError(f"ts has {len(tt)} entries for {len(ms)} measures")
    lines = list(extra) if extra is not None else [""] * len(ms)
    if len(lines) != len(ms):
        raise ValueError(f"extra has {len(lines)} entries for {len(ms)} measures")
    titles = [f"t = {t:.2f}" + (f"\n{e}" if e else "") for t, e in zip(tt, lines, strict=True)]
    return plot_measures(ms, titles, suptitle=suptitle, panel_size=panel_size)
