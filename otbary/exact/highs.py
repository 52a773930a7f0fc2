"""HiGHS, the one LP solver of the exact paths (the gap checks are in :mod:`otbary.certificates`).

:func:`solve_lp` solves

.. math::

    \\min_x \\; c^\\top x \\quad \\text{s.t.} \\quad A_{eq} x = b_{eq},
    \\quad A_{ub} x \\le b_{ub}, \\quad l \\le x \\le u

with HiGHS through :func:`scipy.optimize.linprog` (``method="highs"``: it keeps HiGHS silent,
whereas ``highspy.Highs()`` prints a banner on stdout) and returns the primal solution with
the row duals ``y`` in the convention ``c - A^\\top y \\ge 0`` on columns at their lower bound
(so that ``b^\\top y`` is the dual objective of a minimisation). Anything but an optimal
status raises :class:`~otbary.errors.NotOptimalError`. :func:`new_highs` gives a silent
``highspy`` model for the LPs that are grown and re-solved from their last basis (column
generation, :mod:`otbary.exact.colgen`); the interior point of :mod:`otbary.exact.ipm` solves
the large flow LPs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..errors import NotOptimalError

SparseLike = Union[sp.spmatrix, sp.sparray]

__all__ = ["FEASIBILITY_TOL", "LPSolution", "new_highs", "solve_lp"]

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
    simplex: bool = False,
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
    simplex : bool
        Use HiGHS's dual simplex (a vertex solution, ``method="highs-ds"``) instead of letting
        HiGHS choose.

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
            method="highs-ds" if simplex else "highs",
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


_BANNER_SHOWN: list[bool] = []


def new_highs() -> Any:
    """A ``highspy.Highs()`` model, for LPs solved incrementally (column generation adds
    columns and re-solves from the last basis, which :func:`solve_lp` cannot). The first one of a
    process is built with stdout (fd 1) muted, since HiGHS prints its banner there on
    construction, before any option can be set."""
    import highspy

    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN.append(True)
    return h
