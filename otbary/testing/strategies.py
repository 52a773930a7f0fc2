"""Hypothesis strategies for measures, grids and barycenter problems with known answers.

Every strategy here draws *small* problems (a handful of atoms, grids of at most a few
dozen nodes) so that exact solvers run in milliseconds per example. Masses are exact
probability vectors: non-negative and summing to one within ``1e-12``.

Two kinds of strategies are provided:

* generators of inputs -- :func:`weights`, :func:`point_clouds`, :func:`grids`,
  :func:`grid_measures`, :func:`metrics`, :func:`measure_lists`;
* generators of problems whose answer is known in closed form, independently of any
  solver -- :func:`pushed_pair_case` (a pair with known ``W1``), :func:`translates_case`
  (theory fact 6), :func:`two_measures_case` (theory fact 5), :func:`gaussian_case`
  (discretised 1D Gaussians, theory fact 4) and :func:`known_cases` (any of them). The plain
  functions :func:`make_pushed_pair`, :func:`make_translates` and :func:`make_gaussians_1d`
  build the same objects from explicit parameters.

Examples
--------
>>> from hypothesis import given
>>> import otbary as ob
>>> from otbary.testing import strategies as ots
>>> @given(ots.pushed_pair_case(dim=2))
... def test_w1_known(case):
...     assert abs(ob.w1(case.mu, case.nu, case.metric) - case.w1) <= 1e-9
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import NDArray

from ..extras import require
from ..geometry import METRICS, Grid
from ..measures import Measure
from .known import (
    SUM_TOL,
    KnownCase,
    KnownPair,
    make_gaussians_1d,
    make_pushed_pair,
    make_translates,
    normalise,
    weighted_median,
)

require("hypothesis", "otbary.testing.strategies",
        "pip install hypothesis (or otbary[dev]); otbary.testing.known has the builders without it")
from hypothesis import strategies as st  # noqa: E402 (after the check that gives the install hint)
from hypothesis.extra import numpy as hnp  # noqa: E402

__all__ = [
    "SUM_TOL",
    "KnownCase",
    "KnownPair",
    "gaussian_case",
    "grid_measures",
    "grids",
    "known_cases",
    "make_gaussians_1d",
    "make_pushed_pair",
    "make_translates",
    "measure_lists",
    "metrics",
    "normalise",
    "point_clouds",
    "pushed_pair_case",
    "translates_case",
    "two_measures_case",
    "weighted_median",
    "weights",
]

IntRange = Union[int, tuple[int, int]]


def _draw_range(draw: Any, k: IntRange) -> int:
    if isinstance(k, tuple):
        return int(draw(st.integers(k[0], k[1])))
    return int(k)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


@st.composite
def weights(draw: Any, k: int, *, allow_zeros: bool = True) -> NDArray[np.float64]:
    """Weight vectors on the simplex ``{w >= 0, sum w = 1}`` of length ``k``.

    Mixes several shapes that stress solvers differently: arbitrary floats, small integers
    (exact ties such as ``(1/2, 1/2)``), the uniform vector, near-ties (the uniform vector
    perturbed by ``1e-12`` to ``1e-6``) and, when ``allow_zeros``, vectors with zero entries
    (one-hot included).

    Parameters
    ----------
    k : int
        Length, at least 1.
    allow_zeros : bool, default True
        Whether entries may be exactly zero.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    kinds = ["random", "integers", "uniform", "near_tie"]
    if allow_zeros and k > 1:
        kinds.append("one_hot")
    kind = draw(st.sampled_from(kinds))
    if kind == "random":
        lo = 0.0 if allow_zeros else 1e-3
        raw = np.array(
            draw(st.lists(st.floats(lo, 1.0, allow_nan=False, allow_subnormal=False), min_size=k, max_size=k))
        )
    elif kind == "integers":
        raw = np.array(draw(st.lists(st.integers(0 if allow_zeros else 1, 9), min_size=k, max_size=k)), float)
    elif kind == "uniform":
        raw = np.ones(k)
    elif kind == "near_tie":
        scale = draw(st.sampled_from([1e-12, 1e-9, 1e-6]))
        signs = np.array(draw(st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=k, max_size=k)))
        raw = 1.0 + scale * signs
    else:
        raw = np.zeros(k)
        raw[draw(st.integers(0, k - 1))] = 1.0
    if raw.sum() <= 0:
        raw[0] = 1.0
    return normalise(raw)


def metrics() -> st.SearchStrategy[str]:
    """One of ``"cityblock"``, ``"chebyshev"``, ``"euclidean"``."""
    return st.sampled_from(METRICS)


def _coords(lo: float, hi: float, integer: bool) -> st.SearchStrategy[float]:
    if integer:
        return st.integers(math.ceil(lo), math.floor(hi)).map(float)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def point_clouds(
    draw: Any,
    dim: int = 2,
    min_size: int = 1,
    max_size: int = 6,
    coord_range: tuple[float, float] = (-4.0, 4.0),
    *,
    integer_coords: Optional[bool] = None,
    allow_zero_mass: bool = True,
    uniform: bool = False,
) -> Measure:
    """Point-cloud measures (no grid) of ``min_size`` to ``max_size`` atoms in ``R^dim``.

    Parameters
    ----------
    dim : int
        Ambient dimension.
    min_size, max_size : int
        Number of atoms (duplicated points are allowed and do occur).
    coord_range : (float, float)
        Coordinates are drawn in this closed interval.
    integer_coords : bool, optional
        Integer coordinates (many ties and equal distances) or arbitrary floats; drawn when
        ``None``.
    allow_zero_mass : bool, default True
        Whether some atoms may carry zero mass.
    uniform : bool, default False
        Uniform masses instead of drawn ones.
    """
    if dim < 1 or min_size < 1 or max_size < min_size:
        raise ValueError("need dim >= 1 and 1 <= min_size <= max_size")
    n = draw(st.integers(min_size, max_size))
    integer = draw(st.booleans()) if integer_coords is None else integer_coords
    pts = draw(hnp.arrays(np.float64, (n, dim), elements=_coords(coord_range[0], coord_range[1], integer)))
    w = None if uniform else draw(weights(n, allow_zeros=allow_zero_mass))
    return Measure(pts, w)


@st.composite
def grids(
    draw: Any,
    dims: Sequence[int] = (1, 2, 3),
    max_side: int = 5,
    *,
    max_size: int = 40,
    uniform_spacing: Optional[bool] = None,
) -> Grid:
    """Small regular grids of dimension drawn from ``dims``.

    Parameters
    ----------
    dims : sequence of int
        Allowed dimensions (among 1, 2, 3).
    max_side : int
        Largest number of nodes along an axis.
    max_size : int
        Largest total number of nodes.
    uniform_spacing : bool, optional
        Same spacing on every axis (needed by some chebyshev fast paths) or one per axis;
        drawn when ``None``.
    """
    ndim = draw(st.sampled_from(list(dims)))
    shape: list[int] = []
    budget = max_size
    for _ in range(ndim):
        side = draw(st.integers(1, max(1, min(max_side, budget))))
        shape.append(side)
        budget = max(1, budget // side)
    spacing_el = st.one_of(st.sampled_from([1.0, 0.5, 0.25, 2.0, 1.0 / 3.0]), st.floats(0.1, 3.0))
    uniform = draw(st.booleans()) if uniform_spacing is None else uniform_spacing
    if uniform:
        spacing: Union[float, list[float]] = draw(spacing_el)
    else:
        spacing = [draw(spacing_el) for _ in range(ndim)]
    origin = [draw(st.one_of(st.integers(-3, 3).map(float), st.floats(-3.0, 3.0))) for _ in range(ndim)]
    return Grid(tuple(shape), spacing, origin)


@st.composite
def grid_measures(
    draw: Any,
    grid: Union[Grid, st.SearchStrategy[Grid], None] = None,
    *,
    sparse: Optional[bool] = None,
) -> Measure:
    """Histograms on a grid (:meth:`otbary.Measure.on_grid`).

    Parameters
    ----------
    grid : Grid or strategy of Grid, optional
        The grid; :func:`grids` when ``None``.
    sparse : bool, optional
        Mass on a few nodes only (most nodes carry zero mass) or on all nodes with drawn
        weights; drawn when ``None``.
    """
    if grid is None:
        grid = grids()
    g = draw(grid) if isinstance(grid, st.SearchStrategy) else grid
    is_sparse = draw(st.booleans()) if sparse is None else sparse
    n = g.size
    if is_sparse:
        k = draw(st.integers(1, max(1, min(4, n // 3))))
        nodes = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
        values = np.zeros(n)
        values[nodes] = draw(weights(k, allow_zeros=False))
        values = normalise(values)
    else:
        values = draw(weights(n))
    return Measure.on_grid(g, values)


@st.composite
def measure_lists(
    draw: Any,
    k: IntRange = (2, 3),
    *,
    kind: Optional[str] = None,
    dim: Optional[int] = None,
    grid: Union[Grid, st.SearchStrategy[Grid], None] = None,
    min_size: int = 1,
    max_size: int = 5,
) -> list[Measure]:
    """Lists of ``k`` measures that a barycenter accepts: one dimension, or one grid.

    Parameters
    ----------
    k : int or (int, int)
        Number of measures, or a range to draw it from.
    kind : {"points", "grid"}, optional
        Point clouds of one dimension, or histograms on one shared grid; drawn when ``None``.
    dim : int, optional
        Dimension (point clouds: drawn from 1, 2 when ``None``; grids: from 1, 2).
    grid : Grid or strategy of Grid, optional
        The shared grid for ``kind="grid"``.
    min_size, max_size : int
        Atoms per point cloud.
    """
    n = _draw_range(draw, k)
    which = draw(st.sampled_from(["points", "grid"])) if kind is None else kind
    if which == "grid":
        if grid is None:
            grid = grids(dims=(dim,) if dim is not None else (1, 2), max_side=5, max_size=25)
        g = draw(grid) if isinstance(grid, st.SearchStrategy) else grid
        return [draw(grid_measures(g)) for _ in range(n)]
    if which != "points":
        raise ValueError(f"kind must be 'points' or 'grid'; got {which!r}")
    d = draw(st.sampled_from([1, 2])) if dim is None else dim
    return [draw(point_clouds(d, min_size, max_size)) for _ in range(n)]


# --------------------------------------------------------------------------------------
# Known answers
# --------------------------------------------------------------------------------------


@st.composite
def pushed_pair_case(
    draw: Any,
    dim: int = 2,
    metric: Optional[str] = None,
    *,
    on_grid: Optional[bool] = None,
    max_atoms: int = 5,
    max_push: int = 3,
) -> KnownPair:
    """Pairs with a known ``W1`` and non-trivial geometry (see :func:`make_pushed_pair`).

    The atoms of ``mu`` are arbitrary lattice points; each is pushed by its own vector,
    all pushes sharing a norming linear form, so ``W1 = sum_i w_i ||v_i||`` exactly.

    Parameters
    ----------
    dim : int
    metric : str, optional
        Drawn when ``None``.
    on_grid : bool, optional
        Histograms on the bounding-box grid (exercises the grid paths) or point clouds;
        drawn when ``None``.
    max_atoms, max_push : int
        Size of ``mu`` and largest lattice push per axis.
    """
    m = draw(metrics()) if metric is None else metric
    grid = draw(st.booleans()) if on_grid is None else on_grid
    n = draw(st.integers(1, max_atoms))
    x = draw(hnp.arrays(np.int64, (n, dim), elements=st.integers(0, 3)))
    mags = np.array(draw(st.lists(st.integers(0, max_push), min_size=n, max_size=n)), dtype=np.int64)
    if dim == 1:
        v = mags[:, None] * draw(st.sampled_from([-1, 1]))
    elif m == "cityblock":
        signs = np.array(draw(st.lists(st.sampled_from([-1, 1]), min_size=dim, max_size=dim)), dtype=np.int64)
        v = draw(hnp.arrays(np.int64, (n, dim), elements=st.integers(0, max_push))) * signs[None, :]
    elif m == "chebyshev":
        axis = draw(st.integers(0, dim - 1))
        s = draw(st.sampled_from([-1, 1]))
        frac = draw(hnp.arrays(np.float64, (n, dim), elements=st.floats(-1.0, 1.0)))
        v = np.rint(frac * mags[:, None]).astype(np.int64)
        v[:, axis] = s * mags
    else:
        u = np.array(draw(st.lists(st.integers(-2, 2), min_size=dim, max_size=dim)), dtype=np.int64)
        if not np.any(u):
            u[0] = 1
        v = mags[:, None] * u[None, :]
    w = draw(weights(n))
    spacing = draw(st.sampled_from([1.0, 0.5, 0.25])) if grid else draw(st.sampled_from([1.0, 0.5, 0.3]))
    origin = draw(st.integers(-2, 2))
    return make_pushed_pair(x, w, v, m, spacing=spacing, origin=float(origin), on_grid=grid)


@st.composite
def translates_case(
    draw: Any,
    dim: int = 2,
    metric: Optional[str] = None,
    k: IntRange = (2, 4),
    *,
    on_grid: Optional[bool] = None,
    max_atoms: int = 4,
    max_shift: int = 3,
) -> KnownCase:
    """Translates of one shape (theory fact 6), with the optimum known.

    The shape ``rho`` has up to ``max_atoms`` lattice atoms; the ``K`` shifts are arbitrary
    for cityblock (and in 1D) and collinear otherwise (see :func:`make_translates`).

    Parameters
    ----------
    dim : int
    metric : str, optional
        Drawn when ``None``.
    k : int or (int, int)
        Number of translates.
    on_grid : bool, optional
        Histograms on one grid or point clouds; drawn when ``None``.
    max_atoms, max_shift : int
    """
    m = draw(metrics()) if metric is None else metric
    grid = draw(st.booleans()) if on_grid is None else on_grid
    n_k = _draw_range(draw, k)
    n = draw(st.integers(1, max_atoms))
    x = draw(hnp.arrays(np.int64, (n, dim), elements=st.integers(0, 2)))
    rho_w = draw(weights(n, allow_zeros=False))
    if m == "cityblock" or dim == 1:
        a = draw(hnp.arrays(np.int64, (n_k, dim), elements=st.integers(-max_shift, max_shift)))
    else:
        u = np.array(draw(st.lists(st.integers(-1, 1), min_size=dim, max_size=dim)), dtype=np.int64)
        if not np.any(u):
            u[0] = 1
        t = np.array(draw(st.lists(st.integers(-max_shift, max_shift), min_size=n_k, max_size=n_k)))
        a = t[:, None] * u[None, :]
    lam = draw(weights(n_k))
    spacing = draw(st.sampled_from([1.0, 0.5, 0.25]))
    return make_translates(x, rho_w, a, lam, m, spacing=spacing, on_grid=grid)


@st.composite
def two_measures_case(
    draw: Any,
    dim: int = 2,
    metric: Optional[str] = None,
    *,
    equal_weights: bool = False,
    on_grid: Optional[bool] = None,
) -> KnownCase:
    """Two measures (theory fact 5) with ``W1(nu_1, nu_2)`` known (:func:`pushed_pair_case`).

    * ``equal_weights=False``: ``lambda_1 != lambda_2``; the unique barycenter is the heavier
      input and the optimum is ``min(lambda) * W1(nu_1, nu_2)``.
    * ``equal_weights=True``: ``lambda = (1/2, 1/2)``; the optimum is ``W1(nu_1, nu_2) / 2``,
      attained by every mixture ``(1 - t) nu_1 + t nu_2`` (``unique`` is False).

    Parameters
    ----------
    dim : int
    metric : str, optional
    equal_weights : bool
    on_grid : bool, optional
    """
    pair = draw(pushed_pair_case(dim=dim, metric=metric, on_grid=on_grid))
    if equal_weights:
        lam = np.array([0.5, 0.5])
    else:
        lo = draw(
            st.one_of(
                st.floats(0.0, 0.49, allow_subnormal=False),
                st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.5 - 1e-6]),
            )
        )
        lam = normalise(np.array([1.0 - lo, lo]))
        if draw(st.booleans()):
            lam = lam[::-1].copy()
    heavier = int(np.argmax(lam))
    ms = [pair.mu, pair.nu]
    optimum = float(np.min(lam)) * pair.w1
    return KnownCase(
        measures=ms,
        weights=lam,
        metric=pair.metric,
        optimum=optimum,
        barycenter=ms[heavier],
        unique=not equal_weights and pair.w1 > 0,
        pairwise=np.array([[0.0, pair.w1], [pair.w1, 0.0]]),
        on_union_support=True,
        description=f"two measures, weights {lam.tolist()} ({pair.description})",
    )


@st.composite
def gaussian_case(
    draw: Any,
    family: Optional[str] = None,
    k: IntRange = (2, 4),
    n: int = 40,
) -> KnownCase:
    """Discretised 1D Gaussians in a location or scale family (see :func:`make_gaussians_1d`).

    Parameters
    ----------
    family : {"location", "scale"}, optional
        Drawn when ``None``.
    k : int or (int, int)
        Number of inputs.
    n : int
        Atoms per input.
    """
    fam = draw(st.sampled_from(["location", "scale"])) if family is None else family
    n_k = _draw_range(draw, k)
    if fam == "location":
        el = st.integers(-6, 6).map(lambda i: i / 2.0)
    else:
        el = st.integers(1, 8).map(lambda i: i / 4.0)
    params = draw(st.lists(el, min_size=n_k, max_size=n_k))
    return make_gaussians_1d(fam, params, draw(weights(n_k)), n)


def known_cases(dim: int = 2, *, on_grid: Optional[bool] = None) -> st.SearchStrategy[KnownCase]:
    """Any barycenter problem with a known optimum in dimension ``dim``.

    One of :func:`translates_case`, :func:`two_measures_case` (unequal and equal weights)
    and, in 1D, :func:`gaussian_case`.
    """
    options = [
        translates_case(dim=dim, on_grid=on_grid),
        two_measures_case(dim=dim, on_grid=on_grid),
        two_measures_case(dim=dim, equal_weights=True, on_grid=on_grid),
    ]
    if dim == 1:
        options.append(gaussian_case())
    return st.one_of(*options)
