"""Mehrotra predictor-corrector interior-point method for sparse standard-form LPs.

Solves

.. math::

    \\min_x \\; c^\\top x \\quad \\text{s.t.} \\quad A x = b, \\; x \\ge 0,

with dual ``max b.y s.t. A^T y + s = c, s >= 0``. Each iteration solves the normal
equations ``(A Theta A^T + delta I) dy = r`` with ``Theta = (S X^{-1} + rho I)^{-1}``
(``rho``, ``delta``: small primal and dual regularisations). The sparsity pattern of
``A Theta A^T`` does not change, so it is computed once, with a sparse map ``P`` such that
the upper triangle's values are ``P @ theta``; the sparse symmetric factorisation reuses
its symbolic analysis (:class:`otbary.exact.factor.Factor`: MKL PARDISO, SciPy's SuperLU
when PARDISO is not available), then iterative refinement against the exact product.

``A`` must have full row rank (drop redundant rows before calling). The answer is only
approximate (``tol``); callers that promise exactness certify it themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .factor import Factor

__all__ = ["IPMResult", "NormalMatrix", "solve_lp"]

Vector = NDArray[np.float64]

#: Default stopping tolerance on relative primal/dual infeasibility and duality gap.
IPM_TOL = 1e-10
#: Largest relative primal infeasibility accepted at termination: the final polish
#: (``_polish_primal``) removes it, and the objective then exceeds the dual one by
#: ``s.x`` only, which is why the gap is measured by the complementarity ``x.s``.
PINF_MAX = 1e-6
#: Stop when the best iterate (least ``gap + pinf + dinf``) is this many iterations old.
STALL_ITERATIONS = 8
#: Primal and dual regularisation (relative to the scaled problem, where ``max|c| = 1``).
REG_PRIMAL = 1e-12
REG_DUAL = 1e-12
#: LPs with at least ``LARGE_ROWS`` rows use ``REG_LARGE`` for both instead: at 256x256
#: (K = 3, about 2e5 rows) the weaker one let the last iterations stall with a certified
#: gap of 1e-6, ``1e-10`` certified 2e-9 in fewer iterations; on tiny degenerate LPs the
#: stronger one biases the answer above the certificate's tolerance, hence the threshold.
LARGE_ROWS = 100000
REG_LARGE = 1e-10
_STEP = 0.995
_TINY = 1e-300
#: Final primal polish (see ``_polish_primal``): relative weight floor, number of sweeps,
#: relative diagonal shift.
POLISH_FLOOR = 1e-9
POLISH_SWEEPS = 6
POLISH_DELTA = 1e-14
#: ``dual_bound`` (see :func:`solve_lp`) is evaluated on iterates with a relative gap below this.
DUAL_BOUND_FROM = 1e-5
#: Iterative refinement steps on the normal equations.
REFINE_STEPS = 2
REFINE_RTOL = 1e-10
#: Gondzio multiple centrality correctors: at most this many per iteration, with
#: target products in ``[GONDZIO_BETA_MIN, GONDZIO_BETA_MAX] * sigma * mu``.
GONDZIO_MAX = 1
GONDZIO_BETA_MIN = 0.1
GONDZIO_BETA_MAX = 10.0
#: LPs with fewer rows skip the Gondzio correctors and the iterative refinement of the
#: Newton directions (a few more iterations, each much cheaper: on small LPs the solves'
#: fixed costs dominate); the final polish keeps its refinement.
SMALL_ROWS = 4000


@dataclass
class IPMResult:
    """Approximate primal-dual solution of ``min c.x, Ax = b, x >= 0``.

    Attributes
    ----------
    x, y, s : ndarray
        Primal, row duals and reduced costs (``A^T y + s = c``).
    status : str
        ``"optimal"`` (tolerances met), ``"stalled"``, ``"max_iter"`` or
        ``"numerical_failure: ..."``; in every case ``x, y, s`` is the best iterate.
    iterations : int
    info : dict
        Final residuals, gap, times.
    """

    x: Vector
    y: Vector
    s: Vector
    status: str
    iterations: int
    info: dict[str, Any] = field(default_factory=dict)


class NormalMatrix:
    """The pattern of ``A diag(theta) A^T`` and the map ``theta -> values``.

    For a column ``j`` of ``A`` with non-zeros ``a_ij``, ``a_lj``, the entry ``(i, l)`` of
    ``A diag(theta) A^T`` receives ``a_ij a_lj theta_j``; :attr:`gram` stores those
    products so that the upper triangle's values are ``gram @ theta``.

    Parameters
    ----------
    A : sparse matrix, shape (m, n)
    """

    def __init__(self, A: sp.spmatrix) -> None:
        csc = sp.csc_matrix(A, dtype=float)
        csc.sum_duplicates()
        csc.sort_indices()
        m, n = csc.shape
        counts = np.diff(csc.indptr)
        rows_i, rows_l, cols, vals = [np.arange(m)], [np.arange(m)], [], []
        for a in range(int(counts.max(initial=0))):
            for b in range(a, int(counts.max(initial=0))):
                j = np.flatnonzero(counts > b)
                pa, pb = csc.indptr[j] + a, csc.indptr[j] + b
                rows_i.append(csc.indices[pa])
                rows_l.append(csc.indices[pb])
                cols.append(j)
                vals.append(csc.data[pa] * csc.data[pb])
        key = np.concatenate(rows_i).astype(np.int64) * m + np.concatenate(rows_l)
        uniq, inv = np.unique(key, return_inverse=True)
        row = (uniq // m).astype(np.intp)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=m))])
        self.pattern = sp.csr_matrix(
            (np.zeros(uniq.size), (uniq % m).astype(np.int32), indptr.astype(np.int32)), shape=(m, m)
        )
        self.diag = inv[:m]
        self.gram = sp.csr_matrix(
            (np.concatenate(vals) if vals else np.zeros(0), (inv[m:], np.concatenate(cols) if cols else [])),
            shape=(uniq.size, n),
        )

    def values(self, theta: Vector, delta: float) -> Vector:
        """Upper-triangle values of ``A diag(theta) A^T + delta I``."""
        data = np.asarray(self.gram @ theta)
        data[self.diag] += delta
        return data


def _max_step(v: Vector, dv: Vector) -> float:
    """Largest ``alpha <= 1`` with ``v + alpha dv >= 0``: ``min(1, min_{dv_i < 0} -v_i / dv_i)``.

    Divides the whole vectors and masks the ratios of ``dv_i >= 0`` (twice as fast as
    gathering the negative entries first, and the same value to the bit).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        t = v / dv
    t[dv >= 0] = -np.inf
    return min(1.0, -float(t.max()))


class _Newton:
    """Solves the Newton system of the (regularised) central path equations."""

    def __init__(self, A: sp.csr_matrix, normal: NormalMatrix, factor: Factor,
                 refine_steps: int = REFINE_STEPS, gondzio_max: int = GONDZIO_MAX) -> None:
        self.A, self.AT, self.normal, self.factor = A, A.T.tocsr(), normal, factor
        self.refine_steps, self.gondzio_max = refine_steps, gondzio_max

    def factorize(self, theta: Vector, delta: float) -> None:
        self.theta = theta
        self.factor.factorize(self.normal.values(theta, delta))

    def solve_normal(self, rhs: Vector, refine_steps: Optional[int] = None) -> Vector:
        """``(A Theta A^T) dy = rhs`` by the factorisation plus iterative refinement.

        The factor is of the regularised (and, by PARDISO, pivot-perturbed) matrix;
        refinement against the exact product restores the accuracy that the last
        iterations need.
        """
        dy = self.factor.solve(rhs)
        target = REFINE_RTOL * float(np.max(np.abs(rhs), initial=0.0))
        last = np.inf
        for _ in range(self.refine_steps if refine_steps is None else refine_steps):
            res = rhs - self.A @ (self.theta * (self.AT @ dy))
            err = float(np.max(np.abs(res), initial=0.0))
            if err <= target or err > 0.5 * last:
                break
            last = err
            dy = dy + self.factor.solve(res)
        return dy

    def direction(self, x: Vector, rp: Vector, rd: Vector, rc: Vector) -> tuple[Vector, Vector, Vector]:
        """``A dx = rp, A^T dy + ds = rd, S dx + X ds = rc`` through the normal equations."""
        with np.errstate(over="ignore", invalid="ignore"):
            w = self.theta * (rc / x - rd)
        if not np.all(np.isfinite(w)):  # never hand PARDISO a NaN
            raise FloatingPointError("non-finite right-hand side")
        dy = self.solve_normal(rp - self.A @ w)
        dx = w + self.theta * (self.AT @ dy)
        ds = rd - self.AT @ dy
        return dx, dy, ds


def _starting_point(A: sp.csr_matrix, b: Vector, c: Vector, newton: _Newton) -> tuple[Vector, Vector, Vector]:
    """Mehrotra's heuristic: least-norm ``x``, least-squares ``y``, shifted into the interior."""
    n = A.shape[1]
    newton.factorize(np.ones(n), 1e-10)
    y = newton.factor.solve(A @ c)
    x = A.T @ newton.factor.solve(b)
    s = c - A.T @ y
    x = x + max(-1.5 * float(x.min()), 0.0)
    s = s + max(-1.5 * float(s.min()), 0.0)
    x = np.maximum(x, 1e-8)
    s = np.maximum(s, 1e-8)
    xs = float(x @ s)
    x = x + 0.5 * xs / float(s.sum())
    s = s + 0.5 * xs / float(x.sum())
    return x, y, s


def _gondzio(newton: _Newton, x: Vector, s: Vector, d: tuple[Vector, Vector, Vector],
             mu_target: float) -> tuple[Vector, Vector, Vector]:
    """Multiple centrality correctors (Gondzio 1996; Colombo and Gondzio 2008).

    From the trial point at a longer step ``alpha~ = min(1, alpha + 0.2)``, correct the
    complementarity products ``v = x~ s~`` towards the box ``[beta_min, beta_max] mu_t``
    (the excess above ``beta_max mu_t`` is limited to ``-beta_max mu_t``); the corrected
    direction is kept while it lengthens the step by at least ``0.1 * 0.2``.
    """
    dx, dy, ds = d
    zero_p, zero_d = np.zeros(newton.A.shape[0]), np.zeros(x.size)
    ap, ad = _max_step(x, dx), _max_step(s, ds)
    for _ in range(newton.gondzio_max):
        tp, td = min(1.0, ap + 0.2), min(1.0, ad + 0.2)
        v = (x + tp * dx) * (s + td * ds)
        lo, hi = GONDZIO_BETA_MIN * mu_target, GONDZIO_BETA_MAX * mu_target
        r = np.clip(v, lo, hi) - v
        r = np.maximum(r, -hi)
        cx, cy, cs = newton.direction(x, zero_p, zero_d, r)
        nx, ny, ns = dx + cx, dy + cy, ds + cs
        nap, nad = _max_step(x, nx), _max_step(s, ns)
        if min(nap, nad) < min(ap, ad) + 0.02:
            break
        dx, dy, ds, ap, ad = nx, ny, ns, nap, nad
        if min(ap, ad) >= 1.0:
            break
    return dx, dy, ds


def _step(newton: _Newton, x: Vector, y: Vector, s: Vector, rp: Vector, rd: Vector,
          reg: tuple[float, float] = (REG_PRIMAL, REG_DUAL)) -> tuple[Vector, Vector, Vector,
                                                                      tuple[float, float, float, float]]:
    """One Mehrotra predictor-corrector step (with Gondzio correctors) from ``(x, y, s)``."""
    mu = float(x @ s) / x.size
    with np.errstate(over="ignore"):  # s/x = inf for x at the floor: theta = 0, as it should
        theta = 1.0 / (s / x + reg[0])
    newton.factorize(theta, reg[1])
    dxa, _, dsa = newton.direction(x, rp, rd, -x * s)
    ap, ad = _max_step(x, dxa), _max_step(s, dsa)
    mu_aff = float((x + ap * dxa) @ (s + ad * dsa)) / x.size
    sigma = min(1.0, (mu_aff / mu) ** 3)
    dx, dy, ds = newton.direction(x, rp, rd, sigma * mu - x * s - dxa * dsa)
    if newton.gondzio_max > 0:
        dx, dy, ds = _gondzio(newton, x, s, (dx, dy, ds), sigma * mu)
    if not (np.all(np.isfinite(dx)) and np.all(np.isfinite(dy)) and np.all(np.isfinite(ds))):
        raise FloatingPointError("non-finite search direction")
    ap, ad = _STEP * _max_step(x, dx), _STEP * _max_step(s, ds)
    # rounding can cancel an entry to zero: keep the iterate strictly interior
    x = np.maximum(x + ap * dx, _TINY)
    s = np.maximum(s + ad * ds, _TINY)
    return x, y + ad * dy, s, (sigma, ap, ad, mu)


def _polish_primal(newton: _Newton, b: Vector, x: Vector) -> Vector:
    """Drive ``b - Ax`` to rounding level by weighted projections, keeping ``x >= 0``.

    With weights ``w = max(x, POLISH_FLOOR max x)``, a sweep solves
    ``(A W A^T + delta I) z = b - A x`` and sets ``x <- x + W A^T z``: the minimum
    ``W^{-1}``-norm correction, a *relative* change ``(A^T z)_j`` of each entry, so that
    entries the solver drove to zero move by tiny amounts and the objective moves by
    ``O(|b - Ax|)``; ``A W A^T`` is far better conditioned than the normal equations of
    the last iterations. Entries that would turn negative are fixed at zero (weight 0)
    and the sweep is repeated; what residual is left (rows whose variables are all
    fixed) is returned to the caller through ``b - Ax``.
    """
    w = np.maximum(x, POLISH_FLOOR * float(x.max(initial=1.0)))
    scale = 1.0 + float(np.max(np.abs(b), initial=0.0))
    factorized = False
    for _ in range(POLISH_SWEEPS):
        rp = b - newton.A @ x
        if float(np.max(np.abs(rp), initial=0.0)) <= 1e-16 * scale:
            break
        if not factorized:
            newton.factorize(w, POLISH_DELTA * float(w.max(initial=1.0)))
            factorized = True
        trial = x + w * (newton.AT @ newton.solve_normal(rp, REFINE_STEPS))
        neg = trial < 0
        if np.any(neg):
            w[neg] = 0.0
            factorized = False
            trial[neg] = 0.0
        x = trial
    return x


def solve_lp(
    c: Vector,
    A: sp.spmatrix,
    b: Vector,
    tol: float = IPM_TOL,
    max_iter: int = 200,
    normal: Optional[NormalMatrix] = None,
    verbose: bool = False,
    dual_bound: Optional[Callable[[Vector], float]] = None,
    lean: Optional[bool] = None,
) -> IPMResult:
    """Primal-dual interior-point solution of ``min c.x s.t. Ax = b, x >= 0``.

    Mehrotra predictor-corrector: the affine direction ``(dx_a, ds_a)`` gives the centring
    parameter ``sigma = (mu_a / mu)^3``, the corrector targets ``x_i s_i = sigma mu -
    dx_a,i ds_a,i``; separate primal and dual step lengths (``0.995`` of the way to the
    boundary), plus up to ``GONDZIO_MAX`` centrality correctors (none below ``SMALL_ROWS``
    rows). On the scaled problem
    (``max|b| = max|c| = 1``) it stops when

    .. math::

        \\frac{x^\\top s}{1 + |c^\\top x|} \\le \\text{tol},\\quad
        \\frac{\\|c - A^\\top y - s\\|_\\infty}{1 + \\|c\\|_\\infty} \\le \\text{tol},\\quad
        \\frac{\\|b - Ax\\|_\\infty}{1 + \\|b\\|_\\infty} \\le \\text{PINF\\_MAX},

    or when the best iterate (least ``x.s`` gap plus dual infeasibility) has not improved
    for ``STALL_ITERATIONS`` iterations (ill-conditioning of the last normal equations).
    The best iterate is returned, its ``x >= 0`` polished so that ``Ax = b`` to rounding
    (see ``_polish_primal``; a tiny residual can remain on rows where the polish had to
    fix every variable at zero; callers that need exact feasibility repair it).

    The arguments come in the order of :func:`otbary.exact.highs.solve_lp` (and of
    :func:`scipy.optimize.linprog`): objective, then constraints.

    Parameters
    ----------
    c : ndarray, shape (n,)
    A : sparse matrix, shape (m, n)
        Full row rank.
    b : ndarray, shape (m,)
    tol : float
    max_iter : int
    normal : NormalMatrix, optional
        Precomputed pattern of ``A A^T`` (reused across solves with the same ``A``).
    verbose : bool
        Print one line per iteration.
    dual_bound : callable, optional
        ``y -> a certified lower bound`` on the optimum (e.g. from a Lipschitz repair of
        the duals). Called, unless ``lean``, on every iterate whose relative gap ``x.s`` is
        below :data:`DUAL_BOUND_FROM`; the returned ``y`` is then the iterate with the highest
        bound (late iterations of a stalled solve oscillate, and the best primal and the
        best dual need not come from the same iterate).
    lean : bool, optional
        Skip the Gondzio correctors and the refinement of the Newton directions; by default
        on LPs with fewer than :data:`SMALL_ROWS` rows.

    Returns
    -------
    IPMResult
    """
    t0 = time.perf_counter()
    A = sp.csr_matrix(A, dtype=float)
    b = np.asarray(b, dtype=float)
    c = np.asarray(c, dtype=float)
    cscale = max(float(np.max(np.abs(c), initial=0.0)), 1e-300)
    bscale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    cs, bs = c / cscale, b / bscale
    normal = normal if normal is not None else NormalMatrix(A)
    factor = Factor(normal.pattern)
    small = A.shape[0] < SMALL_ROWS if lean is None else lean
    reg = (REG_LARGE, REG_LARGE) if A.shape[0] >= LARGE_ROWS else (REG_PRIMAL, REG_DUAL)
    newton = _Newton(A, normal, factor, 0 if small else REFINE_STEPS, 0 if small else GONDZIO_MAX)
    t_setup = time.perf_counter() - t0
    x, y, s = _starting_point(A, bs, cs, newton)
    status, it = "max_iter", 0
    nb, nc = 1.0 + float(np.max(np.abs(bs))), 1.0 + float(np.max(np.abs(cs)))
    best: tuple[float, int, Vector, Vector, Vector, float, float, float] = (np.inf, 0, x, y, s, 1.0, 1.0, 1.0)
    best_bound: tuple[float, int, Vector, Vector] = (-np.inf, 0, y, s)
    try:
        for it in range(1, max_iter + 1):
            rp = bs - A @ x
            rd = cs - newton.AT @ y - s
            pobj, dobj = float(cs @ x), float(bs @ y)
            pinf = float(np.max(np.abs(rp), initial=0.0)) / nb
            dinf = float(np.max(np.abs(rd), initial=0.0)) / nc
            gap = float(x @ s) / (1.0 + abs(pobj))
            merit = gap + dinf + (pinf if pinf > PINF_MAX else 0.0)
            if merit < best[0]:
                best = (merit, it, x, y, s, pinf, dinf, gap)
            if dual_bound is not None and not small and gap <= DUAL_BOUND_FROM:
                bound = dual_bound(y * cscale)
                if bound > best_bound[0]:
                    best_bound = (bound, it, y, s)
            if verbose:
                print(f"{it:3d} pobj {pobj:+.12e} dobj {dobj:+.12e} "
                      f"pinf {pinf:.1e} dinf {dinf:.1e} x.s {gap:.1e}")
            if gap <= tol and dinf <= tol and pinf <= PINF_MAX:
                status = "optimal"
                break
            if it - best[1] >= STALL_ITERATIONS:
                status = "stalled"
                break
            try:
                x, y, s, step_info = _step(newton, x, y, s, rp, rd, reg)
            except Exception as exc:  # linear algebra breakdown: keep the best iterate
                status = f"numerical_failure: {exc}"
                break
            if verbose:
                print("    sigma {:.2e} alpha_p {:.3f} alpha_d {:.3f} mu {:.2e}".format(*step_info))
        _, it_best, x, y, s, pinf, dinf, gap = best
        if best_bound[1] and best_bound[1] != it_best:
            # the dual of the iterate with the best certified bound; the reduced costs then
            # are those of that iterate too (``A^T y + s = c`` up to its own residual)
            y, s = best_bound[2], best_bound[3]
        try:
            x = _polish_primal(newton, bs, x)
        except Exception as exc:  # pragma: no cover - keep the unpolished iterate
            status += f"; polish failed: {exc}"
    finally:
        factor.release()
    info = {
        "primal_infeasibility": pinf,
        "dual_infeasibility": dinf,
        "relative_gap": gap,
        "setup_time": t_setup,
        "time": time.perf_counter() - t0,
        "backend": factor.backend,
        "rows": A.shape[0],
        "columns": A.shape[1],
        "normal_nnz": int(normal.pattern.nnz),
    }
    info["best_iteration"] = it_best
    info["dual_iteration"] = best_bound[1] or it_best
    return IPMResult(x * bscale, y * cscale, s * cscale, status, it, info)
