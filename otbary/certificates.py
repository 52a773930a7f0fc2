"""Certified gaps: the one place where an exact path decides whether its answer is optimal.

Every exact solver returns a feasible answer of cost ``cost`` (an upper bound on the optimum)
and a dual lower bound ``lower_bound`` (docs/theory.md, facts 1-3); :func:`check_gap` accepts
the pair when ``cost - lower_bound <= rtol * max(|cost|, scale)`` with ``scale`` a length of
the problem, so that an optimum of zero is judged on the problem's own scale. The tolerance
depends on how the LP was solved, never on the caller:

* :data:`GAP_RTOL` (``1e-9``): simplex solutions (HiGHS, POT's network simplex, closed forms),
  exact up to rounding;
* :data:`GAP_RTOL_IPM` (``1e-7``): interior-point solutions (grid flows, ball problems), whose
  certified duals are exactly feasible but stop short of the vertex.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import NotOptimalError
from .geometry import box_diameter

__all__ = ["GAP_RTOL", "GAP_RTOL_IPM", "check_gap", "problem_scale", "unit_length"]

#: Relative tolerance of every certified gap in the exact paths:
#: ``cost - lower_bound <= GAP_RTOL * max(|cost|, scale)``, where ``scale`` is a length of
#: the problem (a diameter), so that a zero optimum is judged on the problem's own scale.
GAP_RTOL = 1e-9

#: Relative tolerance of certified gaps of interior-point solutions (grid flows, ball
#: problems): their duals are made exactly feasible, their primal stops near the optimum.
GAP_RTOL_IPM = 1e-7


def check_gap(cost: float, lower_bound: float, scale: float, what: str, rtol: float = GAP_RTOL,
              detail: str = "") -> float:
    """Raise unless ``cost - lower_bound <= rtol * max(|cost|, scale)``; return the gap.

    Parameters
    ----------
    cost : float
        Objective of a feasible answer (an upper bound on the optimum).
    lower_bound : float
        Certified lower bound (dual value) on the optimum.
    scale : float
        A length of the problem (e.g. the diameter of all atoms), so that an optimum of zero is
        judged on the problem's scale rather than to an absolute ``rtol``.
    what : str
        Name of the problem, used in the error message.
    rtol : float
        Relative tolerance, :data:`GAP_RTOL` by default.
    detail : str
        Solver details appended to the error message.

    Raises
    ------
    NotOptimalError
        The gap, or ``NaN`` in either number, fails the test.
    """
    gap = float(cost) - float(lower_bound)
    tol = rtol * max(abs(float(cost)), float(scale))
    if not np.isfinite(gap) or gap > tol:
        raise NotOptimalError(
            f"{what}: cost {cost:.17g} and certified lower bound {lower_bound:.17g} differ by "
            f"{gap:.3g} > tolerance {tol:.3g}; the answer is not certified optimal{detail}"
        )
    return gap


def problem_scale(points: ArrayLike) -> float:
    """Length scale for :func:`check_gap`: ``max(diameter, 1e-6 * max |coordinate|)``, the
    diameter being the largest coordinate range.

    The second term covers rounding: with ``GAP_RTOL = 1e-9`` it allows an absolute gap of
    ``1e-15 |x|``, a few ulps of the coordinates, when every atom coincides (diameter zero).
    """
    pts = np.asarray(points, dtype=float)
    return max(box_diameter(pts, "chebyshev"), 1e-6 * float(np.max(np.abs(pts))) if pts.size else 0.0)


def unit_length(points: ArrayLike) -> float:
    """The largest coordinate range of ``points`` (chebyshev :func:`~otbary.geometry.box_diameter`),
    or ``1.0`` when it is zero.

    LP costs are divided by it before they reach a solver, so that the solver's absolute
    tolerances (``1e-10`` and below) mean the same thing at every scale of the coordinates.
    """
    d = box_diameter(points, "chebyshev")
    return d if d > 0 and np.isfinite(d) else 1.0
