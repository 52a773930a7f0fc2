"""The catalogue of named toy distributions: one :class:`Toy` object per toy, three forms each.

A :class:`Toy` is a probability distribution on :math:`\\mathbb{R}^d` (``d`` = 1 or 2 for the
named toys) given by a sampler and an (unnormalised) density in *canonical coordinates* -- the
:meth:`Toy.bounds` of every 2D toy with default parameters lie in the square :math:`[-1, 1]^2` --
followed by an affine map :math:`x = A u + b` built from :meth:`Toy.shift`, :meth:`Toy.scale`,
:meth:`Toy.rotate` and :meth:`Toy.affine`, which compose left to right. Each toy is available three ways:

* :meth:`Toy.sample` -- ``(n, d)`` i.i.d. samples (an array);
* :meth:`Toy.points` -- the same samples as a uniform point cloud :class:`~otbary.Measure`;
* :meth:`Toy.histogram` -- its mass on the nodes of an :class:`~otbary.Grid` (cell averages of
  the density by an ``oversample``-point midpoint rule, normalised).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geometry import Grid
from ..measures import Measure
from .grid import GRID_TOYS

__all__ = ["Toy", "get", "list_toys", "describe_toys", "toy_histogram", "bin_samples"]

FloatArray = NDArray[np.float64]
#: ``sampler(rng, n) -> (n, d)`` samples in canonical coordinates.
Sampler = Callable[[np.random.Generator, int], FloatArray]
#: ``density(u) -> (m,)`` unnormalised density at canonical points ``u`` of shape ``(m, d)``.
Density = Callable[[FloatArray], FloatArray]
SeedLike = Union[None, int, np.random.Generator]

# points at which a density is evaluated at once (memory: _CHUNK * components * 8 bytes)
_CHUNK = 4096


def _positive_int(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer; got {type(n).__name__}")
    if int(n) <= 0:
        raise ValueError(f"{name} must be a positive integer; got {n}")
    return int(n)


def _positive(value: object, name: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a positive number; got {value!r}") from exc
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return v


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be None, an int or a numpy Generator; got {type(seed).__name__}")
    return np.random.default_rng(seed)


@dataclass(frozen=True, eq=False)
class Toy:
    """A named toy distribution, its affine placement, and its three forms.

    Build one with :func:`get` (``get("moons")``); the transforms return new toys, so they chain::

        import otbary as ob
        from otbary import toys
        t = toys.get("moons").scale(0.3).rotate(30).shift((0.5, 0.5))
        x = t.sample(1000, seed=0)          # (1000, 2) array
        cloud = t.points(1000, seed=0)      # Measure with uniform weights
        hist = t.histogram(ob.Grid((48, 48), spacing=1 / 47))

    Attributes
    ----------
    name : str
        Catalogue name.
    dim : int
        Dimension ``d`` of the space.
    description : str
        One line: what the toy is, in canonical coordinates.
    box : (ndarray, ndarray)
        Canonical bounding box ``(lo, hi)`` holding all but a negligible mass (Gaussian tails
        beyond 4 standard deviations).
    matrix, offset : ndarray
        The affine map ``x = matrix @ u + offset`` from canonical coordinates ``u``.
    """

    name: str
    dim: int
    description: str
    sampler: Sampler = field(repr=False)
    density: Density = field(repr=False)
    box: tuple[FloatArray, FloatArray] = field(repr=False)
    matrix: FloatArray = field(repr=False, default_factory=lambda: np.eye(0))
    offset: FloatArray = field(repr=False, default_factory=lambda: np.zeros(0))
    history: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.matrix.shape != (self.dim, self.dim):
            object.__setattr__(self, "matrix", np.eye(self.dim))
        if self.offset.shape != (self.dim,):
            object.__setattr__(self, "offset", np.zeros(self.dim))

    def __repr__(self) -> str:
        return f"toys.get({self.name!r})" + "".join(self.history)

    # ------------------------------------------------------------------ transforms

    def affine(self, matrix: ArrayLike, offset: Optional[ArrayLike] = None) -> "Toy":
        """Apply ``x -> matrix @ x + offset`` after the current placement.

        Parameters
        ----------
        matrix : array_like, shape (d, d)
            Invertible linear part.
        offset : array_like, shape (d,), optional
            Translation (default zero).

        Returns
        -------
        Toy
            A new toy; this one is unchanged.
        """
        m = np.asarray(matrix, dtype=float)
        if m.shape != (self.dim, self.dim) or not np.all(np.isfinite(m)):
            raise ValueError(f"matrix must be a finite ({self.dim}, {self.dim}) array; got shape {m.shape}")
        if abs(float(np.linalg.det(m))) < 1e-12:
            raise ValueError("matrix must be invertible (|det| >= 1e-12)")
        c = np.zeros(self.dim) if offset is None else self._vector(offset, "offset")
        return self._moved(m, c, f".affine({m.tolist()}, {c.tolist()})")

    def shift(self, offset: Union[float, ArrayLike]) -> "Toy":
        """Translate by ``offset`` (a number: the same on every axis): ``x -> x + offset``."""
        c = self._vector(offset, "offset")
        return self._moved(np.eye(self.dim), c, f".shift({_fmt(c)})")

    def scale(self, factor: Union[float, ArrayLike]) -> "Toy":
        """Scale about the origin: ``x -> diag(factor) x`` (a number: the same on every axis, > 0)."""
        f = self._vector(factor, "factor")
        if np.any(f <= 0):
            raise ValueError(f"factor must be positive; got {f.tolist()}")
        return self._moved(np.diag(f), np.zeros(self.dim), f".scale({_fmt(f)})")

    def rotate(self, degrees: float, center: Optional[ArrayLike] = None) -> "Toy":
        """Rotate a 2D toy counter-clockwise by ``degrees`` about ``center`` (default the origin)."""
        if self.dim != 2:
            raise ValueError(f"rotate needs a 2D toy; {self.name!r} is {self.dim}D")
        a = math.radians(float(degrees))
        if not math.isfinite(a):
            raise ValueError(f"degrees must be finite; got {degrees!r}")
        r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        c = np.zeros(2) if center is None else self._vector(center, "center")
        return self._moved(r, c - r @ c, f".rotate({float(degrees):g})")

    def fit(self, box: Union[Grid, tuple[ArrayLike, ArrayLike]], margin: float = 0.1) -> "Toy":
        """Scale uniformly and shift so that :meth:`bounds` fills ``box`` less a ``margin``.

        Parameters
        ----------
        box : Grid or (lo, hi)
            Target box; a grid stands for its bounding box of nodes.
        margin : float, default 0.1
            Fraction of the box's extent left free on every side, in ``[0, 0.5)``.

        Returns
        -------
        Toy
            Centred in ``box``, aspect ratio kept.
        """
        if isinstance(box, Grid):
            lo = np.asarray(box.origin, dtype=float)
            hi = lo + np.array([h * (s - 1) for s, h in zip(box.shape, box.spacing, strict=True)])
        else:
            lo, hi = self._vector(box[0], "box[0]"), self._vector(box[1], "box[1]")
        if not 0 <= margin < 0.5:
            raise ValueError(f"margin must be in [0, 0.5); got {margin!r}")
        if np.any(hi <= lo):
            raise ValueError(f"box must have hi > lo on every axis; got {lo.tolist()}, {hi.tolist()}")
        blo, bhi = self.bounds()
        s = float(np.min((hi - lo) * (1 - 2 * margin) / np.maximum(bhi - blo, 1e-300)))
        moved = self.scale(s)
        blo, bhi = moved.bounds()
        return moved.shift((lo + hi) / 2 - (blo + bhi) / 2)

    # ------------------------------------------------------------------ the three forms

    def sample(self, n: int, seed: SeedLike = None) -> FloatArray:
        """``n`` i.i.d. samples, shape ``(n, d)``.

        Parameters
        ----------
        n : int
            Number of samples, ``n >= 1``.
        seed : int, numpy Generator or None
            Seed of :func:`numpy.random.default_rng`; the same seed gives the same samples.
        """
        n = _positive_int(n, "n")
        u = np.asarray(self.sampler(_rng(seed), n), dtype=float).reshape(n, self.dim)
        return np.asarray(u @ self.matrix.T + self.offset)

    def points(self, n: int, seed: SeedLike = None) -> Measure:
        """The :meth:`sample` as a point cloud :class:`~otbary.Measure` with weights ``1/n``."""
        return Measure(self.sample(n, seed))

    def histogram(self, grid: Grid, oversample: int = 3, clip: bool = False) -> Measure:
        """The toy's mass on the nodes of ``grid``, normalised.

        The mass of node ``i`` is the mean of the density over the ``oversample ** d`` midpoints
        of the grid cell centred at ``i`` (side = the spacing), so for a density ``p``

        .. math:: \\mu_i \\propto \\frac{1}{s^d} \\sum_{j} p\\big(A^{-1}(x_i + \\delta_j - b)\\big),
            \\quad \\sum_i \\mu_i = 1.

        Moving each cell's mass to its node costs at most half the spacing per axis, so
        ``W1(histogram, toy) <= sum_a h_a / 2`` (cityblock) up to the midpoint-rule error.

        Parameters
        ----------
        grid : Grid
            Same dimension as the toy.
        oversample : int, default 3
            Midpoints per axis and cell (1: the density at the nodes).
        clip : bool, default False
            If the toy's :meth:`bounds` reach more than half a cell outside the grid, raise
            (default) or keep only the mass that lands on the grid (``True``).

        Returns
        -------
        Measure
            A histogram (:meth:`~otbary.Measure.on_grid`).
        """
        if not isinstance(grid, Grid):
            raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
        if grid.ndim != self.dim:
            raise ValueError(f"grid is {grid.ndim}D but the toy {self.name!r} is {self.dim}D")
        s = _positive_int(oversample, "oversample")
        h = np.asarray(grid.spacing, dtype=float)
        glo = np.asarray(grid.origin, dtype=float)
        ghi = glo + h * (np.asarray(grid.shape) - 1)
        blo, bhi = self.bounds()
        if not clip and (np.any(blo < glo - h / 2 - 1e-12) or np.any(bhi > ghi + h / 2 + 1e-12)):
            raise ValueError(
                f"the toy {self!r} reaches outside the grid: its bounds {_fmt(blo)}..{_fmt(bhi)} are not "
                f"inside the grid's cells {_fmt(glo - h / 2)}..{_fmt(ghi + h / 2)}; move it with "
                ".shift/.scale/.fit(grid), or pass clip=True to keep only the mass on the grid"
            )
        sub = (np.arange(s) + 0.5) / s - 0.5
        deltas = np.stack(np.meshgrid(*[sub * hk for hk in h], indexing="ij"), -1).reshape(-1, self.dim)
        inv = np.linalg.inv(self.matrix)
        nodes = grid.points
        mass = np.zeros(len(nodes))
        for d in deltas:
            u = (nodes + d - self.offset) @ inv.T
            for i in range(0, len(u), _CHUNK):
                mass[i : i + _CHUNK] += self.density(u[i : i + _CHUNK])
        if not np.all(np.isfinite(mass)) or np.any(mass < 0):
            raise ValueError(f"the density of {self!r} is not finite and non-negative on this grid")
        if not np.any(mass > 0):
            raise ValueError(f"the toy {self!r} puts no mass on the grid {grid!r}")
        return Measure.on_grid(grid, mass.reshape(grid.shape), normalize=True)

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        """Axis-aligned box ``(lo, hi)`` holding the placed toy's mass (the image of :attr:`box`)."""
        lo, hi = self.box
        corners = np.array(np.meshgrid(*zip(lo, hi, strict=True), indexing="ij")).reshape(self.dim, -1).T
        x = corners @ self.matrix.T + self.offset
        return x.min(axis=0), x.max(axis=0)

    # ------------------------------------------------------------------ internals

    def _vector(self, value: Union[float, ArrayLike], name: str) -> FloatArray:
        v = np.asarray(value, dtype=float)
        if v.ndim == 0:
            v = np.full(self.dim, float(v))
        if v.shape != (self.dim,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be a finite number or {self.dim} numbers; got {value!r}")
        return v

    def _moved(self, m: FloatArray, c: FloatArray, step: str) -> "Toy":
        return Toy(
            self.name, self.dim, self.description, self.sampler, self.density, self.box,
            m @ self.matrix, m @ self.offset + c, (*self.history, step),
        )


def _fmt(v: FloatArray) -> str:
    return "(" + ", ".join(f"{x:.3g}" for x in np.atleast_1d(v)) + ")"


# --------------------------------------------------------------------------- building blocks


def _mixture_parts(centers: FloatArray, sigmas: FloatArray, weights: FloatArray) -> tuple[Sampler, Density]:
    d = centers.shape[1]

    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        k = rng.choice(len(weights), size=n, p=weights)
        return np.asarray(centers[k] + sigmas[k, None] * rng.standard_normal((n, d)))

    coef = weights / sigmas**d
    inv2 = 0.5 / sigmas**2
    c2 = np.sum(centers**2, axis=1)
    rows = max(1, 2**21 // len(weights))  # bounded (rows x components) work array

    def density(u: FloatArray) -> FloatArray:
        out = np.empty(len(u))
        for i in range(0, len(u), rows):
            v = u[i : i + rows]
            r2 = np.maximum(np.sum(v**2, axis=1)[:, None] - 2 * v @ centers.T + c2, 0.0)
            out[i : i + rows] = np.exp(-r2 * inv2) @ coef
        return out

    return sampler, density


def _mixture_toy(name: str, description: str, centers: ArrayLike, sigmas: Union[float, ArrayLike],
                 weights: Optional[ArrayLike] = None) -> Toy:
    cs = np.asarray(centers, dtype=float)
    if cs.ndim == 1:
        cs = cs[:, None]
    if cs.ndim != 2 or cs.shape[0] == 0 or not np.all(np.isfinite(cs)):
        raise ValueError(f"centers must be a finite (m, d) array with m >= 1; got shape {cs.shape}")
    m, d = cs.shape
    sg = np.asarray(sigmas, dtype=float)
    if sg.ndim == 0:
        sg = np.full(m, float(sg))
    if sg.shape != (m,) or not np.all(np.isfinite(sg)) or np.any(sg <= 0):
        raise ValueError(f"sigmas must be a positive number or {m} positive numbers; got {sigmas!r}")
    if weights is None:
        w = np.full(m, 1.0 / m)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (m,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be {m} non-negative numbers with a positive sum; got {weights!r}")
        w = w / w.sum()
    sampler, density = _mixture_parts(cs, sg, w)
    box = ((cs - 4 * sg[:, None]).min(axis=0), (cs + 4 * sg[:, None]).max(axis=0))
    return Toy(name, d, description, sampler, density, box)


def _curve_toy(name: str, description: str, curve: Callable[[FloatArray], FloatArray],
               t_range: tuple[float, float], noise: float, n_nodes: int = 400) -> Toy:
    """Uniform parameter ``t`` on ``t_range``, point ``curve(t) + noise * N(0, I)``.

    The density is the same with ``t`` on ``n_nodes`` midpoints (a Gaussian mixture): its W1 error
    is at most half the curve length between two nodes.
    """
    s = _positive(noise, "noise")
    t0, t1 = t_range
    nodes = curve(t0 + (t1 - t0) * (np.arange(n_nodes) + 0.5) / n_nodes)
    _, density = _mixture_parts(nodes, np.full(n_nodes, s), np.full(n_nodes, 1.0 / n_nodes))

    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        return np.asarray(curve(rng.uniform(t0, t1, n)) + s * rng.standard_normal((n, 2)))

    box = (nodes.min(axis=0) - 4 * s, nodes.max(axis=0) + 4 * s)
    return Toy(name, 2, description, sampler, density, box)


def _uniform_toy(name: str, description: str, inside: Density, box: tuple[ArrayLike, ArrayLike],
                 sampler: Optional[Sampler] = None) -> Toy:
    """Uniform on ``{u : inside(u) > 0}`` within ``box``; sampled by rejection unless given."""
    lo, hi = np.asarray(box[0], dtype=float), np.asarray(box[1], dtype=float)
    d = len(lo)

    def reject(rng: np.random.Generator, n: int) -> FloatArray:
        out: list[FloatArray] = []
        have = 0
        while have < n:
            u = rng.uniform(lo, hi, size=(max(2 * (n - have), 256), d))
            u = u[inside(u) > 0]
            out.append(u)
            have += len(u)
        return np.concatenate(out)[:n]

    return Toy(name, d, description, sampler or reject, lambda u: (inside(u) > 0).astype(float), (lo, hi))


# --------------------------------------------------------------------------- the catalogue


def _gaussian(sigma: float = 0.25, dim: int = 2) -> Toy:
    d = _positive_int(dim, "dim")
    s = _positive(sigma, "sigma")
    return _mixture_toy("gaussian", f"standard Gaussian N(0, {s:g}^2 I) in {d}D", np.zeros((1, d)), s)


def _mixture(centers: ArrayLike, sigmas: Union[float, ArrayLike] = 0.1,
             weights: Optional[ArrayLike] = None) -> Toy:
    return _mixture_toy("mixture", "Gaussian mixture with the given centers, sigmas and weights",
                        centers, sigmas, weights)


def _random_mixture(n_components: int = 3, seed: int = 0, dim: int = 2) -> Toy:
    k = _positive_int(n_components, "n_components")
    d = _positive_int(dim, "dim")
    rng = np.random.default_rng(seed)
    return _mixture_toy("random_mixture", f"{k} Gaussians, random centers in [-0.6, 0.6]^{d}, seed {seed}",
                        rng.uniform(-0.6, 0.6, (k, d)), rng.uniform(0.05, 0.1, k), rng.uniform(0.5, 1.5, k))


def _eight_gaussians(sigma: float = 0.06) -> Toy:
    a = 2 * np.pi * np.arange(8) / 8
    return _mixture_toy("8gaussians", "8 Gaussians on the circle of radius 0.75",
                        0.75 * np.c_[np.cos(a), np.sin(a)], _positive(sigma, "sigma"))


def _twenty_five_gaussians(sigma: float = 0.04) -> Toy:
    g = np.linspace(-0.8, 0.8, 5)
    c = np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    return _mixture_toy("25gaussians", "5 x 5 Gaussians on a square lattice of side 1.6", c,
                        _positive(sigma, "sigma"))


def _bimodal(sigma: float = 0.12, weight: float = 0.7) -> Toy:
    if not 0 < weight < 1:
        raise ValueError(f"weight must be in (0, 1); got {weight!r}")
    return _mixture_toy("bimodal", f"1D: Gaussians at -0.5 and 0.5, masses {1 - weight:g} / {weight:g}",
                        [[-0.5], [0.5]], _positive(sigma, "sigma"), [1 - weight, weight])


def _ring(radius: float = 0.8, width: float = 0.05) -> Toy:
    r0 = _positive(radius, "radius")
    w = _positive(width, "width")

    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        a = rng.uniform(0, 2 * np.pi, n)
        r = np.abs(r0 + w * rng.standard_normal(n))
        return np.c_[r * np.cos(a), r * np.sin(a)]

    def density(u: FloatArray) -> FloatArray:
        # polar change of variables: a radius density q(r) gives q(r) / (2 pi r) in the plane
        r = np.sqrt(np.sum(u**2, axis=1))
        q = np.exp(-0.5 * ((r - r0) / w) ** 2) + np.exp(-0.5 * ((r + r0) / w) ** 2)
        return np.asarray(q / np.maximum(r, 1e-12))

    e = r0 + 4 * w
    return Toy("ring", 2, f"thin ring: uniform angle, radius N({r0:g}, {w:g}^2)", sampler, density,
               (np.full(2, -e), np.full(2, e)))


def _annulus(inner: float = 0.5, outer: float = 1.0) -> Toy:
    a, b = _positive(inner, "inner"), _positive(outer, "outer")
    if a >= b:
        raise ValueError(f"inner must be smaller than outer; got {inner!r} >= {outer!r}")

    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        t = rng.uniform(0, 2 * np.pi, n)
        r = np.sqrt(rng.uniform(a * a, b * b, n))
        return np.c_[r * np.cos(t), r * np.sin(t)]

    def inside(u: FloatArray) -> FloatArray:
        r2 = np.sum(u**2, axis=1)
        return ((r2 >= a * a) & (r2 <= b * b)).astype(float)

    return _uniform_toy("annulus", f"uniform on the annulus {a:g} <= |x| <= {b:g}", inside,
                        (np.full(2, -b), np.full(2, b)), sampler)


def _moons(noise: float = 0.035) -> Toy:
    def curve(t: FloatArray) -> FloatArray:
        # t in [0, 2): first moon for t < 1, second for t >= 1 (as in scikit-learn's make_moons)
        upper = t < 1
        a = np.pi * np.where(upper, t, t - 1)
        x = np.where(upper, np.cos(a), 1 - np.cos(a))
        y = np.where(upper, np.sin(a), 0.5 - np.sin(a))
        return np.c_[(x - 0.5) / 1.75, (y - 0.25) / 1.75]

    return _curve_toy("moons", "two interleaved half circles (scikit-learn's make_moons, scaled by 4/7)",
                      curve, (0.0, 2.0), noise)


def _swissroll(noise: float = 0.025) -> Toy:
    def curve(t: FloatArray) -> FloatArray:
        return np.c_[t * np.cos(t), t * np.sin(t)] / 16

    return _curve_toy("swissroll", "2D swiss roll: t (cos t, sin t) / 16, t uniform in [1.5 pi, 4.5 pi]",
                      curve, (1.5 * np.pi, 4.5 * np.pi), noise, n_nodes=800)


def _checkerboard(n: int = 4) -> Toy:
    k = _positive_int(n, "n")

    def inside(u: FloatArray) -> FloatArray:
        ij = np.floor((u + 1) * k / 2)
        ok = np.all((u >= -1) & (u <= 1), axis=1)
        return (ok & (ij.sum(axis=1) % 2 == 0)).astype(float)

    return _uniform_toy("checkerboard", f"uniform on the dark squares of a {k} x {k} board on [-1, 1]^2",
                        inside, (np.full(2, -1.0), np.full(2, 1.0)))


def _uniform(dim: int = 1) -> Toy:
    d = _positive_int(dim, "dim")
    return _uniform_toy("uniform", f"uniform on [-1, 1]^{d}", lambda u: np.all(np.abs(u) <= 1, axis=1) * 1.0,
                        (np.full(d, -1.0), np.full(d, 1.0)),
                        lambda rng, n: rng.uniform(-1, 1, (n, d)))


def _square() -> Toy:
    t = _uniform(2)
    return Toy("square", 2, "uniform on the square [-1, 1]^2", t.sampler, t.density, t.box)


def _disc() -> Toy:
    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        t = rng.uniform(0, 2 * np.pi, n)
        r = np.sqrt(rng.uniform(0, 1, n))
        return np.c_[r * np.cos(t), r * np.sin(t)]

    return _uniform_toy("disc", "uniform on the unit disc", lambda u: (np.sum(u**2, axis=1) <= 1) * 1.0,
                        (np.full(2, -1.0), np.full(2, 1.0)), sampler)


_TRIANGLE = np.array([[np.cos(a), np.sin(a)] for a in np.pi / 2 + 2 * np.pi * np.arange(3) / 3])


def _triangle() -> Toy:
    v = _TRIANGLE

    def sampler(rng: np.random.Generator, n: int) -> FloatArray:
        r1, r2 = np.sqrt(rng.uniform(0, 1, n)), rng.uniform(0, 1, n)
        c = np.c_[1 - r1, r1 * (1 - r2), r1 * r2]  # barycentric coordinates, uniform on the triangle
        return np.asarray(c @ v)

    def inside(u: FloatArray) -> FloatArray:
        ok = np.ones(len(u), dtype=bool)
        for i in range(3):
            a, b = v[i], v[(i + 1) % 3]
            # the triangle is counter-clockwise: inside = left of every edge
            ok &= (b[0] - a[0]) * (u[:, 1] - a[1]) - (b[1] - a[1]) * (u[:, 0] - a[0]) >= 0
        return ok.astype(float)

    return _uniform_toy("triangle", "uniform on the equilateral triangle inscribed in the unit circle",
                        inside, (v.min(axis=0), v.max(axis=0)), sampler)


def _glyph(text: str = "A", family: str = "DejaVu Sans", weight: str = "bold") -> Toy:
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import TextPath

    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string; got {text!r}")
    path = TextPath((0, 0), text, size=1.0, prop=FontProperties(family=family, weight=weight))
    polys = [np.asarray(p, dtype=float) for p in path.to_polygons(closed_only=True)]
    if not polys:
        raise ValueError(f"text {text!r} draws nothing in font {family!r}")
    allv = np.concatenate(polys)
    lo, hi = allv.min(axis=0), allv.max(axis=0)
    center, half = (lo + hi) / 2, float(np.max(hi - lo)) / 2
    paths = [Path((p - center) / half) for p in polys]

    def inside(u: FloatArray) -> FloatArray:
        # even-odd rule over the outlines: counters (the hole of an A) are empty
        odd = np.zeros(len(u), dtype=bool)
        for p in paths:
            odd ^= p.contains_points(u)
        return odd.astype(float)

    return _uniform_toy("glyph", f"uniform on the text {text!r} drawn by matplotlib ({family}, {weight})",
                        inside, ((lo - center) / half, (hi - center) / half))


#: name -> factory; each factory's keyword arguments are the toy's parameters.
_CATALOGUE: dict[str, Callable[..., Toy]] = {
    "8gaussians": _eight_gaussians,
    "25gaussians": _twenty_five_gaussians,
    "annulus": _annulus,
    "bimodal": _bimodal,
    "checkerboard": _checkerboard,
    "disc": _disc,
    "gaussian": _gaussian,
    "glyph": _glyph,
    "mixture": _mixture,
    "moons": _moons,
    "random_mixture": _random_mixture,
    "ring": _ring,
    "square": _square,
    "swissroll": _swissroll,
    "triangle": _triangle,
    "uniform": _uniform,
}

#: a parameter set for the factories that need one (``mixture`` has no default centers)
_EXAMPLE_PARAMS: dict[str, dict[str, Any]] = {"mixture": {"centers": [[-0.4, -0.3], [0.4, 0.3]]}}


def list_toys(dim: Optional[int] = None) -> list[str]:
    """Names of the catalogue's toys, sorted (``dim``: only those of that dimension by default).

    Every name works with :func:`get` and with :func:`toy_histogram`.
    """
    names = sorted(_CATALOGUE)
    if dim is None:
        return names
    return [n for n in names if get(n, **_EXAMPLE_PARAMS.get(n, {})).dim == dim]


def describe_toys() -> dict[str, str]:
    """``{name: one-line description}`` for every toy of :func:`list_toys` (default parameters)."""
    return {n: get(n, **_EXAMPLE_PARAMS.get(n, {})).description for n in list_toys()}


def get(name: str, **params: Any) -> Toy:
    """The toy called ``name``, with its parameters, in canonical coordinates.

    Parameters
    ----------
    name : str
        One of :func:`list_toys`: ``8gaussians``, ``25gaussians``, ``annulus``, ``bimodal`` (1D),
        ``checkerboard``, ``disc``, ``gaussian`` (``dim``), ``glyph`` (``text``), ``mixture``,
        ``moons``, ``random_mixture``, ``ring``, ``square``, ``swissroll``, ``triangle``,
        ``uniform`` (``dim``, default 1D).
    **params
        The toy's parameters (``sigma``, ``noise``, ``radius``, ``text``, ...; see the table in
        the docs page "Toy distributions").

    Returns
    -------
    Toy

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names) or a parameter is invalid.
    TypeError
        If a parameter is not accepted by the toy.
    """
    if not isinstance(name, str) or name not in _CATALOGUE:
        raise ValueError(f"unknown toy {name!r}; valid names: {', '.join(list_toys())}")
    try:
        return _CATALOGUE[name](**params)
    except TypeError as exc:
        if "unexpected keyword" in str(exc) or "required" in str(exc):
            raise TypeError(f"toy {name!r}: {exc}") from exc
        raise


def toy_histogram(name: str, grid: Grid, **params: Any) -> Measure:
    """The toy called ``name`` as a histogram on ``grid``.

    The five original grid toys (``gaussian``, ``disc``, ``ring``, ``mixture``,
    ``random_mixture``) take their parameters in the grid's own units, centred on the grid by
    default (see :mod:`otbary.toys.grid`); every other name is placed in the grid's box by
    :meth:`Toy.fit`: ``get(name, **params).fit(grid).histogram(grid)``.

    Parameters
    ----------
    name : str
        One of :func:`list_toys`.
    grid : Grid
    **params
        The toy's parameters.

    Returns
    -------
    Measure
        A normalised histogram on ``grid``.

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names) or a parameter is invalid.
    TypeError
        If a parameter name is not accepted by the toy, or ``grid`` is not a Grid.
    """
    if not isinstance(name, str) or name not in _CATALOGUE:
        raise ValueError(f"unknown toy {name!r}; valid names: {', '.join(list_toys())}")
    if name in GRID_TOYS:
        try:
            return GRID_TOYS[name](grid, **params)
        except TypeError as exc:
            if "unexpected keyword" in str(exc):
                raise TypeError(f"toy {name!r}: {exc}") from exc
            raise
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    return get(name, **params).fit(grid).histogram(grid)


def bin_samples(x: ArrayLike, grid: Grid, weights: Optional[ArrayLike] = None) -> Measure:
    """The empirical measure of samples ``x`` with each point moved to its nearest grid node.

    Points outside the grid go to the nearest boundary node. Moving a point to its nearest node
    costs at most ``sum_a h_a / 2`` (cityblock), so
    ``W1(bin_samples(x, grid), empirical(x)) <= sum_a h_a / 2`` for points inside the grid.

    Parameters
    ----------
    x : array_like, shape (n, d)
        Samples, ``d = grid.ndim`` (shape ``(n,)`` is read as ``(n, 1)``).
    grid : Grid
    weights : array_like, shape (n,), optional
        Non-negative masses of the points (default uniform); a point cloud ``mu`` goes to the
        grid with ``bin_samples(mu.points, grid, mu.weights)``.

    Returns
    -------
    Measure
        A normalised histogram on ``grid`` (the total mass of the points nearest each node).
    """
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    pts = np.asarray(x, dtype=float)
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[1] != grid.ndim or len(pts) == 0:
        raise ValueError(f"x must have shape (n, {grid.ndim}) with n >= 1 for this grid; got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise ValueError("x contains NaN or infinite coordinates")
    if weights is None:
        w = np.ones(len(pts))
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(pts),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be {len(pts)} non-negative numbers with a positive sum")
    counts = np.bincount(grid.nearest(pts), weights=w, minlength=grid.size)
    return Measure.on_grid(grid, counts, normalize=True)
