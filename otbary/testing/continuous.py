r"""Known-answer barycenter problems with *continuous* inputs, given as samplers.

Each :class:`SampledCase` holds samplers ``f(n, rng) -> (n, d)`` of the inputs, the weights,
the exact optimum ``J*`` of the continuous problem and candidates with their exact gaps, all
from closed forms (docs/theory.md facts 5 and 6):

* ``two-heavy-{d}d``: a non-Gaussian shape ``P`` and its translate ``Q = P + a``, weights
  ``0.6 / 0.4``. ``W1(P, Q) = ||a||`` (translates), the unique barycenter is ``P`` and
  ``J* = 0.4 ||a||``. Candidates: ``P`` (gap 0), the lighter input ``Q`` (``0.2 ||a||``),
  the even mixture ``(P + Q) / 2`` (``0.1 ||a||``: ``W1`` on a geodesic of mixtures is
  linear) and ``P + s`` with ``s`` orthogonal to ``a`` (``0.6 ||s|| + 0.4 ||a - s|| - J*``).
* ``translates-{d}d``: one shape at three shifts ``a_k``; the barycenter is the shape at the
  weighted geometric median ``m`` of the shifts and ``J* = sum_k lambda_k ||m - a_k||``.
  Candidates: the barycenter, the input farthest from optimal, and the barycenter shifted by
  0.3 along the axis direction that raises ``J`` most.

The shapes are skewed and non-Gaussian on purpose (a ring with a shifted half, a skewed
exponential blob): nothing here is tuned to Gaussians. Requires only numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..exact.free_support import fermat_weber
from ..geometry import norm

__all__ = ["SampledCase", "shape_sampler", "sampled_case", "sampled_cases", "CASE_NAMES", "NEURAL_SUITE",
           "neural_suite", "paired_gap"]

Vector = NDArray[np.float64]
Sampler = Callable[[int, np.random.Generator], NDArray[np.float64]]


def shape_sampler(d: int, kind: str = "ring", shift: ArrayLike = 0.0, scale: float = 1.0) -> Sampler:
    """A sampler of a fixed non-Gaussian shape in ``d`` dimensions, translated by ``shift``.

    ``kind="ring"``: radius ``1 +- 0.15`` noise, the second axis squeezed by 0.6, the half
    with a positive second coordinate pushed by 0.3 along the first axis (further axes: a
    skewed exponential). ``kind="skew"``: independent centred exponentials along the axes with
    a shear. 1D: a mixture of an exponential and a narrow normal.
    """
    off = np.broadcast_to(np.asarray(shift, dtype=float), (d,)).copy()

    def sample(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        if d == 1:
            pick = rng.random(n) < 0.7
            x = np.where(pick, rng.exponential(1.0, n) - 1.0, 1.5 + 0.1 * rng.standard_normal(n))[:, None]
        elif kind == "ring":
            th = rng.uniform(0.0, 2.0 * np.pi, n)
            r = 1.0 + 0.15 * rng.standard_normal(n)
            x = np.empty((n, d))
            x[:, 0] = r * np.cos(th)
            x[:, 1] = 0.6 * r * np.sin(th)
            x[:, 0] += 0.3 * (x[:, 1] > 0)
            if d > 2:
                x[:, 2:] = 0.5 * (rng.exponential(1.0, (n, d - 2)) - 1.0)
        else:
            x = rng.exponential(1.0, (n, d)) - 1.0
            x[:, 0] += 0.5 * x[:, 1]
        return scale * x + off

    return sample


@dataclass
class SampledCase:
    """A continuous barycenter problem with a known optimum and candidates of known gap.

    Attributes
    ----------
    name : str
    dim : int
    metric : str
    inputs : list of samplers
    weights : ndarray
    optimum : float
        ``J*`` of the continuous problem.
    candidates : dict
        ``name -> (sampler, exact gap)``; ``"barycenter"`` has gap 0.
    """

    name: str
    dim: int
    metric: str
    inputs: list[Sampler]
    weights: Vector
    optimum: float
    candidates: dict[str, tuple[Sampler, float]] = field(default_factory=dict)


def _mixture(a: Sampler, b: Sampler) -> Sampler:
    def sample(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        x, y = a(n, rng), b(n, rng)
        return np.where((rng.random(n) < 0.5)[:, None], x, y)

    return sample


def _two_heavy(d: int, metric: str, kind: str = "ring", scale: float = 1.0, name: str = "") -> SampledCase:
    a = np.zeros(d)
    a[0] = 0.8 * scale
    s = np.zeros(d)
    s[min(1, d - 1)] = (0.3 if d > 1 else -0.3) * scale
    lam = np.array([0.6, 0.4])
    W = float(norm(a, metric))
    P, Q = shape_sampler(d, kind, scale=scale), shape_sampler(d, kind, shift=a, scale=scale)
    opt = 0.4 * W
    shifted = 0.6 * float(norm(s, metric)) + 0.4 * float(norm(a - s, metric)) - opt
    return SampledCase(name or f"two-heavy-{d}d", d, metric, [P, Q], lam, opt, {
        "barycenter": (P, 0.0),
        "lighter input": (Q, 0.2 * W),
        "even mixture": (_mixture(P, Q), 0.1 * W),
        "shifted barycenter": (shape_sampler(d, kind, shift=s, scale=scale), shifted),
    })


def _translates(d: int, metric: str, k: int = 3, kind: str = "skew", name: str = "") -> SampledCase:
    rng = np.random.default_rng(2026 + d + (0 if k == 3 else 100 * k))
    shifts = rng.uniform(-1.0, 1.0, size=(k, d))
    lam = np.array([0.45, 0.35, 0.2]) if k == 3 else np.sort(rng.dirichlet(np.full(k, 2.0)))[::-1].copy()
    m, val, _ = fermat_weber(shifts[None], lam, metric)
    med = m[0]
    opt = float(val[0])

    def J(y: Vector) -> float:
        return float(sum(lk * float(norm(y - ak, metric)) for lk, ak in zip(lam, shifts, strict=True)))

    # the shift by 0.3 along an axis that raises J most, and the input farthest from optimal
    steps = [sign * 0.3 * np.eye(d)[a] for a in range(d) for sign in (1.0, -1.0)]
    step = max(steps, key=lambda v: J(med + v))
    far = int(np.argmax([J(a) for a in shifts]))
    inputs = [shape_sampler(d, kind, a) for a in shifts]
    return SampledCase(name or f"translates-{d}d", d, metric, inputs, lam, opt, {
        "barycenter": (shape_sampler(d, kind, med), 0.0),
        "farthest input": (inputs[far], J(shifts[far]) - opt),
        "shifted barycenter": (shape_sampler(d, kind, med + step), J(med + step) - opt),
    })


def _gaussian_mixture(rng: np.random.Generator, d: int, m: int) -> Sampler:
    centres = rng.uniform(-1.5, 1.5, size=(m, d))
    sds = rng.uniform(0.15, 0.4, size=m)
    probs = rng.dirichlet(np.ones(m))

    def sample(n: int, g: np.random.Generator) -> NDArray[np.float64]:
        c = g.choice(m, size=n, p=probs)
        return np.asarray(centres[c] + sds[c, None] * g.standard_normal((n, d)))

    return sample


def _mixtures(metric: str) -> SampledCase:
    rng = np.random.default_rng(31)
    inputs = [_gaussian_mixture(rng, 2, m) for m in (2, 3, 4)]
    return SampledCase("mixtures-2d", 2, metric, inputs, np.array([0.5, 0.3, 0.2]), float("nan"), {})


#: The cases of :func:`neural_suite` (issue "neural defaults"): varied shapes, dimensions and scales.
NEURAL_SUITE = ("two-heavy-2d", "two-heavy-skew-2d", "two-heavy-8d", "two-heavy-32d", "translates-2d",
                "translates-ring-2d-K5", "translates-8d-K4", "mixtures-2d", "two-heavy-2d-scale0.01",
                "two-heavy-2d-scale100")


def neural_suite(names: Sequence[str] = NEURAL_SUITE, metric: str = "euclidean") -> list[SampledCase]:
    """Known-answer cases for neural barycenters, by name (:data:`NEURAL_SUITE`).

    ``two-heavy-*`` (answer: the heavier input), in 2, 8 and 32 dimensions, a ring and a skewed
    blob, and at scales 0.01 and 100 (shape and shift scaled: the relative gap is the same
    problem); ``translates-*`` (answer: the shape at the weighted geometric median of the
    shifts) with K = 3, 4, 5; ``mixtures-2d``: three Gaussian mixtures with weights
    0.5 / 0.3 / 0.2, no closed form (``optimum`` is NaN: bracket it with :func:`otbary.certify`).
    """
    out = []
    for name in names:
        if name not in NEURAL_SUITE:
            raise ValueError(f"names must be among {NEURAL_SUITE}; got {name!r}")
        if name == "mixtures-2d":
            out.append(_mixtures(metric))
        elif name.startswith("two-heavy"):
            d = 2 if "-2d" in name else int(name.split("-")[-1][:-1])
            scale = float(name.split("scale")[1]) if "scale" in name else 1.0
            out.append(_two_heavy(d, metric, "skew" if "skew" in name else "ring", scale, name))
        else:
            parts = name.split("-")
            d = int(next(p for p in parts if p.endswith("d") and p[:-1].isdigit())[:-1])
            k = int(parts[-1][1:]) if parts[-1].startswith("K") else 3
            out.append(_translates(d, metric, k, "ring" if "ring" in name else "skew", name))
    return out


CASE_NAMES = ("two-heavy-1d", "two-heavy-2d", "two-heavy-3d",
              "translates-1d", "translates-2d", "translates-3d")


def sampled_case(name: str, metric: str = "euclidean") -> SampledCase:
    """The case called ``name`` (one of :data:`CASE_NAMES`)."""
    kind, _, dim = name.rpartition("-")
    if name not in CASE_NAMES:
        raise ValueError(f"name must be one of {CASE_NAMES}; got {name!r}")
    d = int(dim[:-1])
    return _two_heavy(d, metric) if kind == "two-heavy" else _translates(d, metric)


def sampled_cases(dims: tuple[int, ...] = (1, 2, 3), metric: str = "euclidean") -> list[SampledCase]:
    """Every case of the given dimensions."""
    return [sampled_case(n, metric) for n in CASE_NAMES if int(n.rpartition("-")[2][:-1]) in dims]


def paired_gap(candidate: Sampler, answer: Sampler, inputs: Sequence[Sampler], weights: ArrayLike,
               metric: str = "euclidean", n: int = 2000, repeats: int = 4,
               seed: int = 0) -> tuple[float, float]:
    r"""The paired direct estimate of ``J(c) - J*`` against draws of the known answer, and its error.

    Per repeat, with fresh draws ``x`` of the candidate, ``a`` of the answer and ``y_k`` of each
    input (``n`` each), ``sum_k lambda_k (W1(x, y_k) - W1(a, y_k))`` by exact empirical W1
    (:func:`otbary.certify.empirical_w1`): the same input draws on both sides, so most of the
    upward bias of empirical W1 cancels (not all of it: it is a point estimate, not a bound;
    use :func:`otbary.certify` for an interval). Returns the mean over repeats and its standard
    error.
    """
    from ..certify import empirical_w1

    lam = np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(int(repeats)):
        x, a = np.asarray(candidate(n, rng)), np.asarray(answer(n, rng))
        tot = 0.0
        for lk, s in zip(lam, inputs, strict=True):
            if lk > 0:
                y = np.asarray(s(n, rng))
                tot += float(lk) * (empirical_w1(x, y, metric) - empirical_w1(a, y, metric))
        diffs.append(tot)
    v = np.asarray(diffs)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
