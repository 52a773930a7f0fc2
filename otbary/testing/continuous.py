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
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..exact.free_support import fermat_weber
from ..geometry import norm

__all__ = ["SampledCase", "shape_sampler", "sampled_case", "sampled_cases", "CASE_NAMES"]

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


def _two_heavy(d: int, metric: str) -> SampledCase:
    a = np.zeros(d)
    a[0] = 0.8
    s = np.zeros(d)
    s[min(1, d - 1)] = 0.3 if d > 1 else -0.3
    lam = np.array([0.6, 0.4])
    W = float(norm(a, metric))
    P, Q = shape_sampler(d), shape_sampler(d, shift=a)
    opt = 0.4 * W
    shifted = 0.6 * float(norm(s, metric)) + 0.4 * float(norm(a - s, metric)) - opt
    return SampledCase(f"two-heavy-{d}d", d, metric, [P, Q], lam, opt, {
        "barycenter": (P, 0.0),
        "lighter input": (Q, 0.2 * W),
        "even mixture": (_mixture(P, Q), 0.1 * W),
        "shifted barycenter": (shape_sampler(d, shift=s), shifted),
    })


def _translates(d: int, metric: str) -> SampledCase:
    rng = np.random.default_rng(2026 + d)
    shifts = rng.uniform(-1.0, 1.0, size=(3, d))
    lam = np.array([0.45, 0.35, 0.2])
    m, val, _ = fermat_weber(shifts[None], lam, metric)
    med = m[0]
    opt = float(val[0])

    def J(y: Vector) -> float:
        return float(sum(lk * float(norm(y - ak, metric)) for lk, ak in zip(lam, shifts, strict=True)))

    # the shift by 0.3 along an axis that raises J most, and the input farthest from optimal
    steps = [sign * 0.3 * np.eye(d)[a] for a in range(d) for sign in (1.0, -1.0)]
    step = max(steps, key=lambda v: J(med + v))
    far = int(np.argmax([J(a) for a in shifts]))
    inputs = [shape_sampler(d, "skew", a) for a in shifts]
    return SampledCase(f"translates-{d}d", d, metric, inputs, lam, opt, {
        "barycenter": (shape_sampler(d, "skew", med), 0.0),
        "farthest input": (inputs[far], J(shifts[far]) - opt),
        "shifted barycenter": (shape_sampler(d, "skew", med + step), J(med + step) - opt),
    })


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
