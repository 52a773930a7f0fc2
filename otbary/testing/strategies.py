"""Hypothesis strategies for measures, grids and barycenter problems with known answers.

Every strategy here draws *small* problems (a handful of atoms, grids of at most a few
dozen nodes) so that exact solvers run in milliseconds per example. Masses are exact
probability vectors: non-negative and summing to one within ``1e-12``.

Two kinds of strategies are provided:

* generators of inputs -- :func:`weights`, :func:`point_clouds`, :func:`grids`,
  :func:`grid_measures`, :func:`metrics`, :func:`measure_lists`;
* generators of problems whose answer is known in closed form, independently of any
  solver -- :func:`pushed_pair_case` (a pair with known ``W1``), :func:`translates_case`
  (DESIGN fact 6), :func:`two_measures_case` (DESIGN fact 5), :func:`gaussian_case`
  (discretised 1D Gaussians, DESIGN fact 4) and :func:`known_cases` (any of them). The plain
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
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import ArrayLike, NDArray

from ..geometry import METRICS, Grid, norm
from ..measures import Measure

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

#: Every probability vector drawn here satisfies ``|sum(p) - 1| <= SUM_TOL``.
SUM_TOL = 1e-12

IntRange = Union[int, tuple[int, int]]


def normalise(values: ArrayLike) -> NDArray[np.float64]:
    """Probability vector ``p = v / sum(v)`` with ``|sum(p) - 1| <= SUM_TOL``.

    The rounding residue of the division is moved onto the largest entry, which keeps
    every entry non-negative (the largest is at least ``1/n``).

    Parameters
    ----------
    values : array_like, shape (n,)
        Finite, non-negative, not all zero.

    Raises
    ------
    ValueError
        If ``values`` is empty, not 1D, has a negative or non-finite entry, or sums to zero.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1D array; got shape {v.shape}")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError("values must be finite and non-negative")
    total = float(v.sum())
    if total <= 0:
        raise ValueError("values must not all be zero")
    p = v / total
    residue = 1.0 - float(p.sum())
    if residue != 0.0:
        p[int(np.argmax(p))] += residue
    if abs(float(p.sum()) - 1.0) > SUM_TOL:  # pragma: no cover - defensive
        raise ValueError(f"could not normalise to within {SUM_TOL}: sum is {p.sum()!r}")
    return p


def weighted_median(values: ArrayLike, weights: ArrayLike) -> float:
    """Lower weighted median: the smallest ``v_i`` with ``sum_{v_j <= v_i} w_j >= 1/2``.

    It minimises ``m -> sum_i w_i |v_i - m|`` (any weighted median does); with
    non-negative weights summing to one.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    idx = int(np.searchsorted(cum, 0.5 * float(cum[-1]) - 1e-15, side="left"))
    return float(v[order][min(idx, v.size - 1)])


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


@dataclass(frozen=True)
class KnownPair:
    """Two measures whose ``W1`` is known in closed form.

    Attributes
    ----------
    mu, nu : Measure
    metric : str
    w1 : float
        ``W1(mu, nu)`` for ``metric``, exact (up to rounding of a short sum).
    description : str
    """

    mu: Measure
    nu: Measure
    metric: str
    w1: float
    description: str = ""


@dataclass(frozen=True)
class KnownCase:
    """A barycenter problem whose optimal value is known in closed form.

    Attributes
    ----------
    measures : list of Measure
        The inputs ``nu_k``.
    weights : ndarray
        ``lambda``, on the simplex.
    metric : str
    optimum : float
        ``min_mu sum_k lambda_k W1(mu, nu_k)`` over *all* probability measures; the optimum
        is attained by :attr:`barycenter`, which lies on the inputs' grid (grid cases) and
        on the union of their supports unless :attr:`on_union_support` is False.
    barycenter : Measure
        One optimal measure.
    unique : bool
        Whether the optimal measure is unique (only then compare a solution by distance).
    pairwise : ndarray
        ``W1(nu_j, nu_k)``, known exactly.
    on_union_support : bool
        Whether :attr:`barycenter` is supported on the union of the inputs' supports.
    description : str
    """

    measures: list[Measure]
    weights: NDArray[np.float64]
    metric: str
    optimum: float
    barycenter: Measure
    unique: bool
    pairwise: NDArray[np.float64]
    on_union_support: bool = True
    description: str = ""
    info: dict[str, Any] = field(default_factory=dict)


def _lattice_measures(
    atom_sets: Sequence[NDArray[np.int64]],
    mass_sets: Sequence[NDArray[np.float64]],
    spacing: float,
    origin: NDArray[np.float64],
    on_grid: bool,
) -> list[Measure]:
    """Measures with atoms at ``origin + spacing * atoms``; on the bounding-box grid if asked."""
    if not on_grid:
        pairs = zip(atom_sets, mass_sets, strict=True)
        return [Measure(origin + spacing * a.astype(float), normalise(m)) for a, m in pairs]
    allpts = np.concatenate(list(atom_sets), axis=0)
    lo = allpts.min(axis=0)
    hi = allpts.max(axis=0)
    shape = tuple(int(s) for s in (hi - lo + 1))
    grid = Grid(shape, spacing, origin + spacing * lo.astype(float))
    out = []
    for a, m in zip(atom_sets, mass_sets, strict=True):
        values = np.zeros(shape)
        np.add.at(values, tuple((a - lo).T), m)
        out.append(Measure.on_grid(grid, normalise(values.ravel())))
    return out


def make_pushed_pair(
    atoms: ArrayLike,
    masses: ArrayLike,
    pushes: ArrayLike,
    metric: str,
    *,
    spacing: float = 1.0,
    origin: Union[float, ArrayLike] = 0.0,
    on_grid: bool = False,
) -> KnownPair:
    r"""Pair ``mu = sum_i w_i delta_{x_i}``, ``nu = sum_i w_i delta_{x_i + v_i}`` with known W1.

    If one linear form ``phi`` of dual norm 1 is tight on every push, ``phi(v_i) = ||v_i||``,
    then the coupling ``x_i -> x_i + v_i`` and the 1-Lipschitz potential ``phi`` have the
    same value, so

    .. math:: W_1(\mu, \nu) = \sum_i w_i \|v_i\|.

    The pushes must admit such a ``phi`` (checked): cityblock -- all ``v_i`` in one closed
    orthant; chebyshev -- one signed axis ``s e_j`` with ``s v_{i,j} = ||v_i||_inf`` for all
    ``i``; euclidean -- all ``v_i`` non-negative multiples of one vector.

    Parameters
    ----------
    atoms : array_like of int, shape (n, d)
        Lattice coordinates of the atoms of ``mu``.
    masses : array_like, shape (n,)
        Non-negative, normalised here.
    pushes : array_like of int, shape (n, d)
        Lattice displacements ``v_i``.
    metric : str
    spacing, origin :
        Real coordinates are ``origin + spacing * lattice``.
    on_grid : bool
        Return histograms on the bounding-box grid instead of point clouds.
    """
    x = np.atleast_2d(np.asarray(atoms, dtype=np.int64))
    v = np.atleast_2d(np.asarray(pushes, dtype=np.int64))
    w = normalise(np.asarray(masses, dtype=float))
    if x.shape != v.shape or x.shape[0] != w.shape[0]:
        raise ValueError("atoms, pushes and masses must describe the same n atoms")
    d = x.shape[1]
    if not _has_norming_form(v, metric):
        raise ValueError(f"pushes admit no common norming linear form for metric={metric!r}")
    org = np.broadcast_to(np.asarray(origin, dtype=float), (d,)).astype(float)
    mu, nu = _lattice_measures([x, x + v], [w, w], spacing, org, on_grid)
    value = float(np.dot(w, norm(spacing * v.astype(float), metric)))
    return KnownPair(mu, nu, metric, value, f"pushed pair ({metric}, d={d}, n={x.shape[0]})")


def _has_norming_form(v: NDArray[np.int64], metric: str) -> bool:
    nz = v[np.any(v != 0, axis=1)]
    if nz.shape[0] == 0:
        return True
    if v.shape[1] == 1:
        return bool(np.all(nz > 0) or np.all(nz < 0))
    if metric == "cityblock":
        return _one_orthant(nz)
    if metric == "chebyshev":
        inf = np.max(np.abs(nz), axis=1)
        for j in range(v.shape[1]):
            for s in (1, -1):
                if np.all(s * nz[:, j] == inf):
                    return True
        return False
    # euclidean: all parallel with the same orientation
    ref = nz[0]
    cross_ok = all(np.linalg.matrix_rank(np.stack([ref, r]).astype(float)) == 1 for r in nz)
    return bool(cross_ok and np.all(nz @ ref > 0))


def _one_orthant(nz: NDArray[np.int64]) -> bool:
    for j in range(nz.shape[1]):
        col = nz[:, j]
        if np.any(col > 0) and np.any(col < 0):
            return False
    return True


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


def make_translates(
    shape_atoms: ArrayLike,
    shape_masses: ArrayLike,
    shifts: ArrayLike,
    weights: ArrayLike,
    metric: str,
    *,
    spacing: float = 1.0,
    origin: Union[float, ArrayLike] = 0.0,
    on_grid: bool = False,
) -> KnownCase:
    r"""Barycenter of translates ``nu_k = rho(. - a_k)`` (DESIGN fact 6).

    ``W1(nu_j, nu_k) = ||a_j - a_k||``, and

    .. math:: \min_\mu \sum_k \lambda_k W_1(\mu, \nu_k) = \min_a \sum_k \lambda_k \|a - a_k\|,

    attained by ``rho`` shifted to a weighted Fermat--Weber point ``a*``. (Lower bound:
    ``W1(mu, nu) >= ||E_mu x - E_nu x||`` by Jensen.) The point ``a*`` is known in closed form
    when the metric is cityblock (coordinatewise weighted median), in 1D, or when the shifts
    are collinear (then some ``a_k`` is optimal, for every norm); other inputs raise
    ``ValueError``.

    Parameters
    ----------
    shape_atoms : array_like of int, shape (n, d)
        Lattice coordinates of the atoms of ``rho``.
    shape_masses : array_like, shape (n,)
    shifts : array_like of int, shape (K, d)
        Lattice shifts ``a_k``.
    weights : array_like, shape (K,)
        ``lambda`` (normalised here).
    metric : str
    spacing, origin :
        Real coordinates are ``origin + spacing * lattice``.
    on_grid : bool
        Histograms on the bounding-box grid instead of point clouds.
    """
    x = np.atleast_2d(np.asarray(shape_atoms, dtype=np.int64))
    a = np.atleast_2d(np.asarray(shifts, dtype=np.int64))
    lam = normalise(np.asarray(weights, dtype=float))
    if x.shape[1] != a.shape[1] or a.shape[0] != lam.shape[0]:
        raise ValueError("shape_atoms and shifts must share a dimension; weights need one entry per shift")
    d = x.shape[1]
    rel = (a - a[0]).astype(float)
    collinear = bool(np.linalg.matrix_rank(rel) <= 1) if a.shape[0] > 1 else True
    if metric == "cityblock" or d == 1:
        star = np.array([weighted_median(a[:, j], lam) for j in range(d)]).astype(np.int64)
    elif collinear:
        objective = [float(np.dot(lam, norm((a - a[j]).astype(float), metric))) for j in range(a.shape[0])]
        star = a[int(np.argmin(objective))]
    else:
        raise ValueError("no closed form: use cityblock, 1D or collinear shifts")
    h = float(spacing)
    optimum = float(np.dot(lam, norm(h * (a - star).astype(float), metric)))
    pairwise = norm(h * (a[:, None, :] - a[None, :, :]).astype(float), metric)
    org = np.broadcast_to(np.asarray(origin, dtype=float), (d,)).astype(float)
    rho_w = normalise(np.asarray(shape_masses, dtype=float))
    sets = [x + a_k for a_k in a] + [x + star]
    *measures, bary = _lattice_measures(sets, [rho_w] * len(sets), h, org, on_grid)
    return KnownCase(
        measures=list(measures),
        weights=lam,
        metric=metric,
        optimum=optimum,
        barycenter=bary,
        unique=False,
        pairwise=np.asarray(pairwise),
        on_union_support=bool(np.any(np.all(a == star, axis=1))),
        description=f"translates ({metric}, d={d}, K={a.shape[0]})",
        info={"shifts": h * a.astype(float), "center": h * star.astype(float)},
    )


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
    """Translates of one shape (DESIGN fact 6), with the optimum known.

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
    """Two measures (DESIGN fact 5) with ``W1(nu_1, nu_2)`` known (:func:`pushed_pair_case`).

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


def make_gaussians_1d(
    family: str,
    params: ArrayLike,
    weights: ArrayLike,
    n: int = 50,
) -> KnownCase:
    r"""Discretised 1D Gaussians with a known barycenter (DESIGN fact 4).

    Each input has ``n`` atoms at ``m_k + s_k z_i`` with ``z_i = Phi^{-1}((i + 1/2) / n)``
    (uniform masses). On the line ``W1 = int_0^1 |Q_mu - Q_nu| du`` and the optimal quantile
    function is the pointwise weighted median of the ``Q_k``:

    * ``family="location"`` (``params`` = means ``m_k``, ``s = 1``): optimum
      ``sum_k lambda_k |m_k - m*|``, barycenter ``N(m*, 1)``, ``m*`` the weighted median;
    * ``family="scale"`` (``params`` = standard deviations ``s_k > 0``, ``m = 0``): optimum
      ``sum_k lambda_k |s_k - s*| mean_i |z_i|``, barycenter ``N(0, s*^2)``.

    The formulas hold exactly for the discrete measures. ``unique`` is True when no subset of
    the weights sums to exactly 1/2 around the median (checked: lower and upper weighted
    medians coincide).
    """
    from scipy.stats import norm as normal

    p = np.asarray(params, dtype=float)
    lam = normalise(np.asarray(weights, dtype=float))
    if p.ndim != 1 or p.shape != lam.shape:
        raise ValueError("params and weights must be 1D of the same length")
    z = np.asarray(normal.ppf((np.arange(n) + 0.5) / n), dtype=float)
    star = weighted_median(p, lam)
    upper = -weighted_median(-p, lam)
    if family == "location":
        measures = [Measure(pk + z) for pk in p]
        bary = Measure(star + z)
        optimum = float(lam @ np.abs(p - star))
        pairwise = np.abs(p[:, None] - p[None, :])
    elif family == "scale":
        if np.any(p <= 0):
            raise ValueError("scale family: params (standard deviations) must be positive")
        measures = [Measure(pk * z) for pk in p]
        bary = Measure(star * z)
        mz = float(np.mean(np.abs(z)))
        optimum = float(lam @ np.abs(p - star)) * mz
        pairwise = np.abs(p[:, None] - p[None, :]) * mz
    else:
        raise ValueError(f"family must be 'location' or 'scale'; got {family!r}")
    return KnownCase(
        measures=measures,
        weights=lam,
        metric="euclidean",
        optimum=optimum,
        barycenter=bary,
        unique=bool(abs(upper - star) <= 1e-12),
        pairwise=pairwise,
        on_union_support=False,
        description=f"1D Gaussians ({family}, K={p.size}, n={n})",
        info={"family": family, "params": p, "median": star},
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
