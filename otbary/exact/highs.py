"""A small wrapper around the HiGHS LP solver and the certified-gap check shared by the exact paths.

:func:`solve_lp` solves

.. math::

    \\min_x \\; c^\\top x \\quad \\text{s.t.} \\quad A_{eq} x = b_{eq},
    \\quad A_{ub} x \\le b_{ub}, \\quad l \\le x \\le u

with HiGHS through :func:`scipy.optimize.linprog` (``method="highs"``: it keeps HiGHS silent,
whereas ``highspy.Highs()`` prints a banner on stdout) and returns the primal solution with
the row duals ``y`` in the convention ``c - A^\\top y \\ge 0`` on columns at their lower bound
(so that ``b^\\top y`` is the dual objective of a minimisation). Anything but an optimal
status raises :class:`~otbary.errors.NotOptimalError`.

:func:`check_gap` is the one place where an exact path decides whether its recomputed cost
and its certified lower bound agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..errors import NotOptimalError
from ..geometry import box_diameter

SparseLike = Union[sp.spmatrix, sp.sparray]

__all__ = ["FEASIBILITY_TOL", "GAP_RTOL", "LPSolution", "check_gap", "diameter", "problem_scale", "solve_lp",
           "unit_length"]

#: Relative tolerance of every certified gap in the exact paths:
#: ``cost - lower_bound <= GAP_RTOL * max(|cost|, scale)``, where ``scale`` is a length of
#: the problem (a diameter), so that a zero optimum is judged on the problem's own scale.
GAP_RTOL = 1e-9

#: HiGHS primal and dual feasibility tolerances (its defaults are 1e-7).
FEASIBILITY_TOL = 1e-10


@dataclass(frozen=True)
class LPSolution:
    """Result of :func:`solve_lp`.

    Attributes
    ----------
    x : ndarray
        Primal solution.
    row_duals : ndarray
        Duals ``y`` of the equality rows (``c - A^T y`` are the reduced costs).
    objective : float
        ``c^T x``.
    status : str
        HiGHS's status message (an optimal one when returned).
    """

    x: NDArray[np.float64]
    row_duals: NDArray[np.float64]
    objective: float
    status: str


def solve_lp(
    c: ArrayLike,
    A_eq: Optional[SparseLike],
    b_eq: Optional[ArrayLike],
    lower: Optional[ArrayLike] = None,
    upper: Optional[ArrayLike] = None,
    *,
    A_ub: Optional[SparseLike] = None,
    b_ub: Optional[ArrayLike] = None,
    what: str = "LP",
    time_limit: Optional[float] = None,
) -> LPSolution:
    """Solve ``min c.x  s.t.  A_eq x = b_eq,  A_ub x <= b_ub,  lower <= x <= upper`` with HiGHS.

    Parameters
    ----------
    c : array_like, shape (n,)
        Objective coefficients.
    A_eq : sparse matrix, shape (m, n), or None
        Equality constraint matrix (any SciPy sparse format).
    b_eq : array_like, shape (m,), or None
        Right-hand sides.
    lower, upper : array_like, shape (n,), optional
        Column bounds; default ``0`` and ``+inf`` (pass ``-inf`` for free variables).
    A_ub, b_ub : sparse matrix (p, n) and array_like (p,), optional
        Inequality rows ``A_ub x <= b_ub``; their duals follow the equality rows' in
        ``row_duals`` (non-positive at an optimum).
    what : str
        Name of the problem, used in error messages.
    time_limit : float, optional
        Seconds before HiGHS gives up (then :class:`NotOptimalError` is raised).

    Returns
    -------
    LPSolution

    Raises
    ------
    NotOptimalError
        HiGHS does not report an optimal solution (infeasible, unbounded, time or iteration
        limit, numerical trouble).
    """
    from scipy.optimize import linprog

    cost = np.ascontiguousarray(c, dtype=float)
    n = cost.shape[0]
    rows: dict[str, tuple[Optional[sp.csr_matrix], Optional[NDArray[np.float64]]]] = {}
    for name, mat, rhs_in in (("eq", A_eq, b_eq), ("ub", A_ub, b_ub)):
        if mat is None:
            rows[name] = (None, None)
            continue
        rhs = np.asarray(rhs_in, dtype=float).ravel()
        if mat.shape != (rhs.shape[0], n):
            raise ValueError(f"A_{name} has shape {mat.shape}; expected ({rhs.shape[0]}, {n})")
        rows[name] = (sp.csr_matrix(mat), rhs)
    if rows["eq"][0] is None and rows["ub"][0] is None:
        raise ValueError("solve_lp needs A_eq or A_ub")
    lo = np.zeros(n) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(n, np.inf) if upper is None else np.asarray(upper, dtype=float)
    options: dict[str, Any] = {
        "primal_feasibility_tolerance": FEASIBILITY_TOL,
        "dual_feasibility_tolerance": FEASIBILITY_TOL,
    }
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    def run(opts: dict[str, Any]) -> Any:
        return linprog(
            cost,
            A_ub=rows["ub"][0],
            b_ub=rows["ub"][1],
            A_eq=rows["eq"][0],
            b_eq=rows["eq"][1],
            bounds=np.column_stack([lo, hi]),
            method="highs",
            options=opts,
        )

    res = run(options)
    if res.status == 2:
        # HiGHS's presolve can declare a feasible LP infeasible when right-hand sides span many
        # orders of magnitude (masses of 1e-30 beside 1e-1); the LP without presolve decides.
        res = run({**options, "presolve": False})
    if res.status != 0 or res.x is None:
        raise NotOptimalError(f"HiGHS did not solve the {what} to optimality: {res.message}")
    duals = [getattr(res, attr).marginals for attr, name in (("eqlin", "eq"), ("ineqlin", "ub"))
             if rows[name][0] is not None]
    x = np.asarray(res.x, dtype=float)
    return LPSolution(
        x=x,
        row_duals=np.concatenate(duals).astype(float),
        objective=float(cost @ x),
        status=str(res.message),
    )


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


def diameter(points: ArrayLike) -> float:
    """Largest coordinate range of ``points`` (shape ``(n, d)``): the length scale of a problem
    (the chebyshev :func:`~otbary.geometry.box_diameter`)."""
    return box_diameter(points, "chebyshev")


def problem_scale(points: ArrayLike) -> float:
    """Length scale for :func:`check_gap`: ``max(diameter, 1e-6 * max |coordinate|)``.

    The second term covers rounding: with ``GAP_RTOL = 1e-9`` it allows an absolute gap of
    ``1e-15 |x|``, a few ulps of the coordinates, when every atom coincides (diameter zero).
    """
    pts = np.asarray(points, dtype=float)
    return max(diameter(pts), 1e-6 * float(np.max(np.abs(pts))) if pts.size else 0.0)


def unit_length(points: ArrayLike) -> float:
    """:func:`diameter` of ``points``, or ``1.0`` when it is zero.

    LP costs are divided by it before they reach a solver, so that the solver's absolute
    tolerances (``1e-10`` and below) mean the same thing at every scale of the coordinates.
    """
    d = diameter(points)
    return d if d > 0 and np.isfinite(d) else 1.0
