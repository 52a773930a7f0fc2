r"""Named ground-truth cases: barycenter (and ball) problems whose optimum is known.

Each case is built by a function ``make(quick) -> Case`` registered in :data:`CASES`; the
known answer comes from a closed form (theory facts 4--7, 10) or, for grid mixtures, from an
independent LP (POT's :func:`ot.lp.barycenter`), never from otbary's own solvers. Build one
with :func:`get_case` and check it alone with :func:`otbary.validation.runner.run_case`.

=====================  ===================================================================
name                   known answer
=====================  ===================================================================
gauss1d-location       ``N(m_k, 1)``: barycenter ``N(median_lambda(m), 1)``, optimum
                       ``sum_k lambda_k |m_k - m*|`` (quantile function, fact 4)
gauss1d-scale          ``N(0, s_k^2)``: barycenter ``N(0, s*^2)``, optimum
                       ``sum_k lambda_k |s_k - s*| E|Z|`` (``s*`` the weighted median)
two-unequal            ``N(-2, 1)``, ``N(2, 1)``, weights ``.6/.4``: unique barycenter ``nu_1``,
                       optimum 1.6; the recursive barycenter scores 1.92 (facts 5, 7)
two-unequal-2d         a 2D pair with known ``W1 = D``, weights ``.7/.3``: optimum ``.3 D``
two-equal              the same pair, weights ``.5/.5``: optimum ``D/2``, attained by every
                       mixture (not unique, fact 5)
translates-2d          translates of an L-shaped shape on a grid, cityblock: optimum
                       ``sum_k lambda_k ||a_k - a*||_1``, ``a*`` the coordinatewise median (fact 6)
translates-2d-euclid   collinear translates, euclidean point clouds (fact 6)
grid-mixture           mixtures of bumps on a 2D grid, cityblock: optimum of POT's LP
ball-active            ``min W1(mu, tau) s.t. W1(mu, nu) <= D/2`` with ``W1(tau, nu) = D``:
                       optimum ``D/2``, multiplier 1 (fact 10)
ball-inactive          the same with radius ``2D``: optimum 0, multiplier 0
sampled-translate      *samplers*: a non-Gaussian shape ``P`` and its translate ``Q = P + a``,
                       weights ``.6/.4``, euclidean: unique barycenter ``P``, optimum
                       ``.4 ||a||``; ``Q`` scores ``.6 ||a||``, the even mixture ``.5 ||a||``
                       (facts 5, 6). Checked with sample-based certification
=====================  ===================================================================

The discretised Gaussians have ``n`` atoms at the normal quantiles ``Phi^{-1}((i + 1/2)/n)``,
so the closed forms hold exactly for the discrete measures, not only in the limit.

Cases of kind ``"sampled"`` have continuous inputs known only through samplers
(``sampler(n, rng) -> (n, d)`` array): their known answers hold for the continuous
distributions, and the runner checks that :func:`otbary.certify`'s sample-based interval
brackets them (:attr:`Case.samplers`, :attr:`Case.barycenter_sampler`,
:attr:`Case.sampled_baselines`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
from numpy.typing import NDArray

from ..geometry import Grid
from ..measures import Measure, to_pot

__all__ = ["CASES", "Case", "Sampler", "case_names", "get_case", "normal_atoms"]

#: ``sampler(n, rng)``: an ``(n, d)`` array of ``n`` independent draws.
Sampler = Callable[[int, np.random.Generator], NDArray[np.float64]]


@dataclass
class Case:
    """A barycenter (or ball) problem with a known optimum.

    Attributes
    ----------
    name, description : str
    measures : list of Measure
        The inputs ``nu_k`` (ball cases: ``[target, center_1, ...]``; sampled cases: empty).
    weights : ndarray
        ``lambda`` (ball cases: unused, ``(1, 0, ...)``).
    metric : str
    optimum : float
        The known optimal value (barycenter objective; ball cases: ``W1(mu*, target)``).
    barycenter : Measure or None
        A known optimal measure.
    unique : bool
        Whether the optimum is attained by one measure only (theory fact 5).
    support : object
        ``support=`` for the exact solver (``None``: its default).
    kind : {"barycenter", "ball", "sampled"}
    radii, multipliers : ndarray or None
        Ball cases: the radii ``eta_k`` and the known multipliers ``lambda_k``.
    baselines : dict
        Deliberately wrong candidates: ``name -> (Measure, known objective or None)``.
    recursive_cost : float or None
        The known objective of :func:`otbary.recursive_barycenter` on this case (theory fact 7).
    source : str
        Where the known optimum comes from.
    samplers : list of samplers
        Sampled cases: the continuous inputs ``nu_k`` as samplers.
    barycenter_sampler : sampler or None
        Sampled cases: a sampler of a known optimal measure.
    sampled_baselines : dict
        Sampled cases: wrong candidates, ``name -> (sampler, known objective)``.
    """

    name: str
    description: str
    measures: list[Measure]
    weights: NDArray[np.float64]
    metric: str
    optimum: float
    barycenter: Optional[Measure] = None
    unique: bool = False
    support: Any = None
    kind: str = "barycenter"
    radii: Optional[NDArray[np.float64]] = None
    multipliers: Optional[NDArray[np.float64]] = None
    baselines: dict[str, tuple[Measure, Optional[float]]] = field(default_factory=dict)
    source: str = "closed form"
    recursive_cost: Optional[float] = None
    samplers: list[Sampler] = field(default_factory=list)
    barycenter_sampler: Optional[Sampler] = None
    sampled_baselines: dict[str, tuple[Sampler, float]] = field(default_factory=dict)

    @property
    def n_inputs(self) -> int:
        """``K``: the number of inputs (Measures, or samplers for sampled cases)."""
        return len(self.samplers) if self.kind == "sampled" else len(self.measures)

    @property
    def dim(self) -> int:
        """The inputs' dimension (sampled cases: of one draw of the first sampler)."""
        if self.kind != "sampled":
            return self.measures[0].dim
        return int(np.atleast_2d(self.samplers[0](1, np.random.default_rng(0))).shape[1])


def normal_atoms(n: int) -> NDArray[np.float64]:
    """The ``n`` standard normal quantiles ``Phi^{-1}((i + 1/2) / n)``, ``i = 0..n-1``."""
    from scipy.stats import norm as normal

    return np.asarray(normal.ppf((np.arange(n) + 0.5) / n), dtype=float)


def _wmedian(values: NDArray[np.float64], lam: NDArray[np.float64]) -> float:
    from ..testing.known import weighted_median

    return weighted_median(values, lam)


def _mixture(measures: list[Measure], lam: NDArray[np.float64]) -> Measure:
    """``sum_k lambda_k nu_k`` as a point cloud (on the common grid when there is one)."""
    grids = {m.grid for m in measures}
    if len(grids) == 1 and None not in grids:
        g = measures[0].grid
        assert g is not None
        return Measure.on_grid(g, sum(lk * m.weights for lk, m in zip(lam, measures, strict=True)),
                               normalize=True)
    pts = np.vstack([m.points for m in measures])
    w = np.concatenate([lk * m.weights for lk, m in zip(lam, measures, strict=True)])
    return Measure(pts, w, normalize=True)


def _w1_line(a: Measure, b: Measure) -> float:
    """Independent 1D oracle: :func:`scipy.stats.wasserstein_distance`."""
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(a.points[:, 0], b.points[:, 0], a.weights, b.weights))


def _objective_line(c: Measure, ms: list[Measure], lam: NDArray[np.float64]) -> float:
    return float(sum(lk * _w1_line(c, m) for lk, m in zip(lam, ms, strict=True)))


def _quantile_recursion(q: list[NDArray[np.float64]], lam: NDArray[np.float64]) -> Measure:
    """1D recursive barycenter (theory fact 7) of uniform measures on sorted atoms ``q_k``.

    Every step averages quantile functions, so ``Q = sum_k lambda_k Q_k``.
    """
    return Measure(sum(lk * qk for lk, qk in zip(lam, q, strict=True)))


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------


def gauss1d_location(quick: bool) -> Case:
    """Location family of discretised 1D Gaussians (theory fact 4)."""
    z = normal_atoms(200 if quick else 1000)
    m = np.array([-2.0, 0.5, 3.0])
    lam = np.array([0.2, 0.5, 0.3])
    ms = [Measure(mk + z) for mk in m]
    star = _wmedian(m, lam)
    bary = Measure(star + z)
    mix = _mixture(ms, lam)
    return Case(
        "gauss1d-location", "N(m_k, 1), m = (-2, .5, 3), weights (.2, .5, .3); barycenter N(.5, 1)",
        ms, lam, "euclidean", float(lam @ np.abs(m - star)), bary, unique=True,
        baselines={"mixture": (mix, _objective_line(mix, ms, lam)),
                   "recursive": (_quantile_recursion([mk + z for mk in m], lam),
                                 float(lam @ np.abs(m - lam @ m)))},
        source="translates on the line: sum_k lambda_k |m_k - median|",
        recursive_cost=float(lam @ np.abs(m - lam @ m)),
    )


def gauss1d_scale(quick: bool) -> Case:
    """Scale family of discretised 1D Gaussians (theory fact 4)."""
    z = normal_atoms(200 if quick else 1000)
    s = np.array([0.5, 1.0, 2.0])
    lam = np.array([0.3, 0.3, 0.4])
    ms = [Measure(sk * z) for sk in s]
    star = _wmedian(s, lam)
    mix = _mixture(ms, lam)
    return Case(
        "gauss1d-scale", "N(0, s_k^2), s = (.5, 1, 2), weights (.3, .3, .4); barycenter N(0, 1)",
        ms, lam, "euclidean", float(lam @ np.abs(s - star)) * float(np.mean(np.abs(z))), Measure(star * z),
        unique=True,
        baselines={"mixture": (mix, _objective_line(mix, ms, lam)),
                   "recursive": (_quantile_recursion([sk * z for sk in s], lam),
                                 float(lam @ np.abs(s - lam @ s)) * float(np.mean(np.abs(z))))},
        source="quantile functions s_k z: sum_k lambda_k |s_k - s*| mean|z_i|",
        recursive_cost=float(lam @ np.abs(s - lam @ s)) * float(np.mean(np.abs(z))),
    )


def two_unequal(quick: bool) -> Case:
    """Theory fact 7: ``N(-2, 1)``, ``N(2, 1)``, weights ``.6/.4``."""
    z = normal_atoms(200 if quick else 1000)
    lam = np.array([0.6, 0.4])
    ms = [Measure(z - 2.0), Measure(z + 2.0)]
    rec = Measure(z - 0.4)
    mix = _mixture(ms, lam)
    return Case(
        "two-unequal", "N(-2, 1), N(2, 1), weights (.6, .4): unique barycenter nu_1, optimum 1.6",
        ms, lam, "euclidean", 0.4 * 4.0, ms[0], unique=True,
        baselines={"mixture": (mix, 2 * 0.6 * 0.4 * 4.0), "recursive": (rec, 0.6 * 1.6 + 0.4 * 2.4)},
        source="theory facts 5 and 7 (recursion: N(-0.4, 1), objective 1.92)",
        recursive_cost=0.6 * 1.6 + 0.4 * 2.4,
    )


def _pair_2d(metric: str, quick: bool) -> tuple[list[Measure], float]:
    from ..testing.known import make_pushed_pair

    rng = np.random.default_rng(7)
    n = 6 if quick else 12
    atoms = rng.integers(0, 5, size=(n, 2))
    push = np.column_stack([rng.integers(1, 4, size=n), np.zeros(n, dtype=int)])
    pair = make_pushed_pair(atoms, rng.random(n) + 0.2, push, metric, spacing=0.5)
    return [pair.mu, pair.nu], pair.w1


def two_unequal_2d(quick: bool) -> Case:
    """Two 2D point clouds with known ``W1``, weights ``.7/.3`` (theory fact 5)."""
    ms, dist = _pair_2d("euclidean", quick)
    lam = np.array([0.7, 0.3])
    mix = _mixture(ms, lam)
    return Case(
        "two-unequal-2d",
        "a 2D pair with W1 = D known, weights (.7, .3): unique barycenter nu_1, optimum .3 D",
        ms, lam, "euclidean", 0.3 * dist, ms[0], unique=True,
        baselines={"mixture": (mix, 2 * 0.7 * 0.3 * dist)},
        source="theory fact 5 with a pushed pair (W1 = sum_i w_i ||v_i||)",
        recursive_cost=2 * 0.7 * 0.3 * dist,
    )


def two_equal(quick: bool) -> Case:
    """Two 2D point clouds, equal weights: every mixture is optimal (theory fact 5)."""
    ms, dist = _pair_2d("cityblock", quick)
    lam = np.array([0.5, 0.5])
    mix = _mixture(ms, lam)
    return Case(
        "two-equal", "the same kind of pair, weights (.5, .5), cityblock: optimum D/2, every mixture optimal",
        ms, lam, "cityblock", 0.5 * dist, mix, unique=False,
        baselines={"mixture": (mix, 0.5 * dist)},
        source="theory fact 5 (W1 is a norm distance: mixtures lie on geodesics)",
        recursive_cost=0.5 * dist,
    )


def translates_2d(quick: bool) -> Case:
    """Translates of an L-shaped shape on a grid, cityblock (theory fact 6)."""
    from ..testing.known import make_translates

    shape = np.array([[0, 0], [1, 0], [2, 0], [0, 1], [0, 2]])
    shifts = np.array([[0, 0], [5, 1], [2, 6]] if quick else [[0, 0], [9, 2], [3, 11], [8, 9]])
    lam = np.array([0.3, 0.3, 0.4] if quick else [0.2, 0.3, 0.3, 0.2])
    kc = make_translates(shape, [1, 1, 1, 2, 2], shifts, lam, "cityblock", spacing=0.25, on_grid=True)
    mix = _mixture(kc.measures, kc.weights)
    return Case(
        "translates-2d", f"{len(lam)} translates of an L shape on a grid, cityblock", kc.measures, kc.weights,
        "cityblock", kc.optimum, kc.barycenter, unique=False, baselines={"mixture": (mix, None)},
        source="theory fact 6: sum_k lambda_k ||a_k - a*||_1, a* the coordinatewise weighted median",
    )


def translates_2d_euclidean(quick: bool) -> Case:
    """Collinear translates of a small shape, euclidean point clouds (theory fact 6)."""
    from ..testing.known import make_translates

    shape = np.array([[0, 0], [1, 0], [0, 1]] if quick else [[0, 0], [1, 0], [0, 1], [1, 1]])
    shifts = np.array([[0, 0], [2, 1], [4, 2], [-2, -1]])
    lam = np.array([0.1, 0.4, 0.2, 0.3])
    kc = make_translates(shape, np.ones(len(shape)), shifts, lam, "euclidean", spacing=0.5)
    mix = _mixture(kc.measures, kc.weights)
    return Case(
        "translates-2d-euclid", "4 collinear translates of a small shape, euclidean point clouds",
        kc.measures, kc.weights, "euclidean", kc.optimum, kc.barycenter, unique=False,
        baselines={"mixture": (mix, None)},
        source="theory fact 6 (collinear shifts: some a_k is a Fermat-Weber point)",
    )


def grid_mixture(quick: bool) -> Case:
    """Mixtures of bumps on a 2D grid, cityblock; optimum by POT's exact LP (independent)."""
    import ot

    side = 7 if quick else 12
    g = Grid((side, side), spacing=1.0 / (side - 1))
    rng = np.random.default_rng(3)
    x = g.points
    ms = []
    for _ in range(3):
        v = np.zeros(g.size)
        for c, s, w in zip(rng.random((2, 2)), (0.08, 0.15), rng.random(2) + 0.3, strict=True):
            v += w * np.exp(-np.sum((x - c) ** 2, axis=1) / (2 * s * s))
        ms.append(Measure.on_grid(g, v, normalize=True))
    lam = np.array([0.25, 0.35, 0.4])
    A, M, _ = to_pot(ms, "cityblock")
    b = ot.lp.barycenter(A, M, lam, solver="highs")
    bary = Measure.on_grid(g, np.clip(b, 0, None), normalize=True)
    opt = float(sum(lk * ot.emd2(bary.weights, m.weights, M) for lk, m in zip(lam, ms, strict=True)))
    mix = _mixture(ms, lam)
    return Case(
        "grid-mixture", f"3 mixtures of Gaussian bumps on a {side}x{side} grid, cityblock", ms, lam,
        "cityblock", opt, bary, unique=False, baselines={"mixture": (mix, None)},
        source="POT ot.lp.barycenter (dense LP on the grid), objective re-evaluated with ot.emd2",
    )


def _ball_pair(quick: bool) -> tuple[Measure, Measure, float]:
    ms, dist = _pair_2d("cityblock", quick)
    return ms[0], ms[1], dist


def ball_active(quick: bool) -> Case:
    """``min W1(mu, tau) s.t. W1(mu, nu) <= D/2``: optimum ``D/2``, multiplier 1 (theory fact 10)."""
    tau, nu, dist = _ball_pair(quick)
    return Case(
        "ball-active", "W1(tau, nu) = D, radius D/2: optimum D/2 (a geodesic midpoint), multiplier 1",
        [tau, nu], np.array([1.0, 0.0]), "cityblock", 0.5 * dist, None, kind="ball",
        radii=np.array([0.5 * dist]), multipliers=np.array([1.0]),
        source="W1(mu, tau) >= D - W1(mu, nu) >= D - eta, attained on the geodesic; dV/deta = -1",
    )


def ball_inactive(quick: bool) -> Case:
    """Radius ``2D`` contains the target: optimum 0, multiplier 0."""
    tau, nu, dist = _ball_pair(quick)
    return Case(
        "ball-inactive", "W1(tau, nu) = D, radius 2D: the target is feasible, optimum 0, multiplier 0",
        [tau, nu], np.array([1.0, 0.0]), "cityblock", 0.0, tau, unique=True, kind="ball",
        radii=np.array([2.0 * dist]), multipliers=np.array([0.0]),
        source="the target lies inside the ball",
    )


def sampled_translate(quick: bool) -> Case:
    """Continuous inputs: a non-Gaussian shape ``P`` and its translate ``Q = P + a``, weights ``.6/.4``.

    The case ``two-heavy-2d`` of :mod:`otbary.testing.continuous` (``P`` a squeezed ring with a
    shifted half, ``a = (0.8, 0)``), euclidean. ``W1(P, P + a) = ||a||`` (move every point by
    ``a``; the potential ``x -> <x, a / ||a||>`` proves it optimal), so with ``lambda_1 > 1/2``
    the unique barycenter is ``P`` and ``J* = .4 ||a||`` (theory fact 5). Wrong baselines: ``Q``
    (gap ``.2 ||a||``), the even mixture ``(P + Q) / 2`` (gap ``.1 ||a||``: moving its ``Q``
    half by ``-a`` is optimal, by the same potential) and ``P + s`` with ``s`` orthogonal to
    ``a`` (objective ``.6 ||s|| + .4 ||a - s||``). ``quick`` only changes the runner's certify
    settings.
    """
    from ..testing.continuous import sampled_case

    sc = sampled_case("two-heavy-2d", "euclidean")
    cands = dict(sc.candidates)
    bary, _ = cands.pop("barycenter")
    p, q = sc.inputs
    dist = float(np.linalg.norm(q(1, np.random.default_rng(0)) - p(1, np.random.default_rng(0))))  # ||a||
    opt = 0.4 * dist
    return Case(
        "sampled-translate",
        f"samplers: a non-Gaussian shape P (a squeezed ring with a shifted half) and its translate "
        f"Q = P + a, ||a|| = {dist:.3g}, weights (.6, .4), euclidean: unique barycenter P, optimum "
        f".4 ||a|| = {opt:.4g}",
        [], np.asarray(sc.weights, dtype=float), sc.metric, opt, None, unique=True,
        kind="sampled", samplers=list(sc.inputs), barycenter_sampler=bary,
        # "mixture": the name of the mixture baseline in every case (report.md's mixture column)
        sampled_baselines={{"even mixture": "mixture"}.get(name, name): (f, opt + float(gap))
                           for name, (f, gap) in cands.items()},
        source="theory facts 5 and 6 (otbary.testing.continuous, two-heavy-2d): W1(P, P + a) = ||a||, "
               "lambda_1 = .6 > 1/2, so J* = .4 ||a|| at P; the lighter input scores .6 ||a||, the even "
               "mixture .5 ||a||, P + s (s orthogonal to a) .6 ||s|| + .4 ||a - s||",
    )


#: Every case: ``name -> make(quick)``.
CASES: dict[str, Callable[[bool], Case]] = {
    "gauss1d-location": gauss1d_location,
    "gauss1d-scale": gauss1d_scale,
    "two-unequal": two_unequal,
    "two-unequal-2d": two_unequal_2d,
    "two-equal": two_equal,
    "translates-2d": translates_2d,
    "translates-2d-euclid": translates_2d_euclidean,
    "grid-mixture": grid_mixture,
    "ball-active": ball_active,
    "ball-inactive": ball_inactive,
    "sampled-translate": sampled_translate,
}


def case_names() -> list[str]:
    """The names of :data:`CASES`, in order."""
    return list(CASES)


def get_case(name: str, quick: bool = False) -> Case:
    """Build the case ``name`` (``quick``: smaller sizes)."""
    if name not in CASES:
        raise ValueError(f"unknown case {name!r}; choose from {case_names()}")
    return CASES[name](quick)

