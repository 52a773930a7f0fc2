"""Problems with answers known in closed form, built from explicit parameters (no hypothesis).

These constructions serve the validation suite (``otbary validate``, which must work from a
plain install) and the hypothesis strategies of :mod:`otbary.testing.strategies`, which draw
their parameters. Each answer is known independently of any solver (docs/theory.md):

* :func:`make_pushed_pair` -- two measures with known ``W1`` (a coupling and a potential of
  equal value);
* :func:`make_translates` -- translates of one shape (theory fact 6);
* :func:`make_gaussians_1d` -- discretised 1D Gaussians (theory fact 4);
* :func:`normalise`, :func:`weighted_median` -- the helpers they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geometry import Grid, norm
from ..measures import Measure

__all__ = [
    "SUM_TOL",
    "KnownCase",
    "KnownPair",
    "make_gaussians_1d",
    "make_pushed_pair",
    "make_translates",
    "normalise",
    "weighted_median",
]


#: Every probability vector drawn here satisfies ``|sum(p) - 1| <= SUM_TOL``.
SUM_TOL = 1e-12

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
    r"""Barycenter of translates ``nu_k = rho(. - a_k)`` (theory fact 6).

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


def make_gaussians_1d(
    family: str,
    params: ArrayLike,
    weights: ArrayLike,
    n: int = 50,
) -> KnownCase:
    r"""Discretised 1D Gaussians with a known barycenter (theory fact 4).

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
