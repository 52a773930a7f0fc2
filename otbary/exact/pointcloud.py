"""Exact W1 and fixed-support barycenters between point clouds (transport LPs).

* :func:`w1_points`: the Kantorovich LP ``min <pi, M>`` over couplings of ``mu`` and ``nu``
  with ``M_ij = d(x_i, y_j)``, solved by POT's network simplex (:func:`ot.emd`).
* :func:`barycenter_on_support`: theory fact 3's fixed-support barycenter LP, with one plan
  per input sharing the barycenter's marginal, solved by HiGHS.

Both return certificates built as *c-transforms* of the LP duals ``v`` of the inputs,

.. math::

    f(z) = \\min_j \\; L\\, d(z, y_j) - v_j ,

which are ``L``-Lipschitz for every ``v`` (a minimum of ``L``-Lipschitz functions), so the
lower bounds they give are valid whatever the accuracy of the LP solver; they are tight
when ``v`` is optimal.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..certificates import check_gap, problem_scale, unit_length
from ..errors import NotOptimalError, SizeLimitError
from ..geometry import pairwise_distances
from ..measures import Measure
from ..potentials import Potential, barycenter_lower_bound, lipschitz_envelope, w1_lower_bound
from ..results import BarycenterResult, W1Result
from .highs import solve_lp

__all__ = ["MAX_LP_VARIABLES", "MAX_PLAN_ENTRIES", "barycenter_lp", "barycenter_on_support", "w1_points"]

#: Largest ``n * m`` (atoms of positive mass) accepted by :func:`w1_points`: the dense cost
#: matrix and plan take ``8 n m`` bytes each (200 MB apiece at the limit).
MAX_PLAN_ENTRIES = 25_000_000

#: Largest number of LP variables ``s * (n_1 + ... + n_K) + s`` accepted by
#: :func:`barycenter_on_support` (``s`` support points, ``n_k`` atoms of positive mass).
#: For scale: 3.6e5 variables (three clouds of 200 points on their union) take about 40 s
#: with HiGHS on two cores.
MAX_LP_VARIABLES = 1_000_000

#: :func:`~otbary.potentials.lipschitz_envelope` is applied to a certificate on ``p`` points
#: (an ``O(p^2)`` pass that only removes rounding) when ``p^2`` is at most this; beyond it the
#: c-transform is kept as computed, which is 1-Lipschitz by construction up to rounding.
MAX_ENVELOPE_PAIRS = 100_000_000

#: Iteration cap passed to the network simplex (POT's default, 1e5, is too low for large clouds).
NETWORK_SIMPLEX_MAX_ITER = 100_000_000


def positive_atoms(measure: Measure) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Atoms of positive mass and their masses (renormalised to sum to one)."""
    keep = measure.weights > 0
    w = np.asarray(measure.weights[keep], dtype=float)
    return np.asarray(measure.points[keep]), w / w.sum()


def c_transform(
    sources: NDArray[np.float64],
    duals: NDArray[np.float64],
    at: NDArray[np.float64],
    metric: str,
    lipschitz: float = 1.0,
) -> NDArray[np.float64]:
    """``f(z) = min_j L d(z, y_j) - v_j`` at the points ``at``, made exactly ``L``-Lipschitz.

    Parameters
    ----------
    sources : ndarray, shape (m, d)
        The points ``y_j``.
    duals : ndarray, shape (m,)
        The dual values ``v_j``.
    at : ndarray, shape (p, d)
        Evaluation points.
    metric : str
    lipschitz : float
        ``L``.

    Returns
    -------
    ndarray, shape (p,)
        ``f`` on ``at``, passed through :func:`~otbary.potentials.lipschitz_envelope` when
        ``p^2 <= MAX_ENVELOPE_PAIRS``.
    """
    f = Potential(sources, -duals, metric, lipschitz)(at)
    if at.shape[0] ** 2 <= MAX_ENVELOPE_PAIRS:
        f = lipschitz_envelope(f, at, metric, lipschitz)
    return f


def _network_simplex(
    a: NDArray[np.float64], b: NDArray[np.float64], M: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Optimal plan and duals of ``nu`` from :func:`ot.emd`; raise unless POT reports optimal."""
    import ot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan, log = ot.emd(a, b, M, numItermax=NETWORK_SIMPLEX_MAX_ITER, log=True)
    if log.get("result_code") != 1 or log.get("warning") is not None:
        raise NotOptimalError(
            f"network simplex (ot.emd) did not reach optimality: code {log.get('result_code')}, "
            f"{log.get('warning')!r}"
        )
    return np.asarray(plan, dtype=float), np.asarray(log["v"], dtype=float)


def w1_points(mu: Measure, nu: Measure, metric: str) -> W1Result:
    """Exact ``W1`` between point clouds by network simplex, with a certificate.

    .. math::

        W_1(\\mu, \\nu) = \\min_{\\pi \\ge 0,\\ \\pi 1 = a,\\ \\pi^\\top 1 = b}
                       \\sum_{ij} \\pi_{ij} d(x_i, y_j)

    over the atoms of positive mass, solved by :func:`ot.emd`. ``cost = <pi, M>``. The
    certificate is the c-transform ``f(z) = min_j d(z, y_j) - v_j`` of POT's duals ``v`` of
    ``nu`` (with ``u_i + v_j <= M_ij``), 1-Lipschitz, on the union of both supports;
    ``lower_bound = <f, mu> - <f, nu> >= <u, a> + <v, b>``. The solver sees ``M`` divided by
    the diameter of the atoms (:func:`~otbary.certificates.unit_length`), so that its absolute
    tolerances do not depend on the units.

    Parameters
    ----------
    mu, nu : Measure
        Point clouds of one dimension (any dimension, 1 included).
    metric : {"cityblock", "chebyshev", "euclidean"}

    Returns
    -------
    W1Result
        ``method="network-simplex"``; ``info``: ``"x"`` (n, d) and ``"y"`` (m, d), the atoms
        of positive mass, ``"plan"`` (n, m), an optimal coupling between them, ``"n"``, ``"m"``.

    Raises
    ------
    SizeLimitError
        ``n * m > MAX_PLAN_ENTRIES`` (``n``, ``m`` atoms of positive mass).
    NotOptimalError
        POT reports anything but optimal, or cost and lower bound differ by more than
        :data:`~otbary.certificates.GAP_RTOL` relative.
    """
    x, a = positive_atoms(mu)
    y, b = positive_atoms(nu)
    n, m = a.size, b.size
    if n * m > MAX_PLAN_ENTRIES:
        raise SizeLimitError(
            f"w1_points: the transport plan would have {n} x {m} = {n * m} entries, beyond "
            f"MAX_PLAN_ENTRIES = {MAX_PLAN_ENTRIES}; use grid measures or subsample"
        )
    union = np.vstack([x, y])
    unit = unit_length(union)
    M = pairwise_distances(x, y, metric)
    plan, v = _network_simplex(a, b, M / unit)
    cost = float(np.sum(plan * M))
    f = c_transform(y, unit * v, union, metric)
    f = f - f[0]
    lower = w1_lower_bound(f[:n], a, f[n:], b)
    check_gap(cost, lower, problem_scale(union), "W1 between point clouds")
    return W1Result(
        cost=cost,
        lower_bound=lower,
        potential=Potential(union, f, metric, 1.0),
        metric=metric,
        method="network-simplex",
        info={"n": n, "m": m, "plan": plan, "x": x, "y": y},
    )


@dataclass(frozen=True)
class PlanBlocks:
    """What a plan-formulation LP on support points needs (see :func:`plan_blocks`)."""

    inputs: list[tuple[NDArray[np.float64], NDArray[np.float64]]]
    union: NDArray[np.float64]
    unit: float
    costs: list[NDArray[np.float64]]
    n_vars: int

    @property
    def sizes(self) -> list[int]:
        """Number of positive atoms of each measure."""
        return [y.shape[0] for y, _ in self.inputs]


def plan_blocks(
    S: NDArray[np.float64], measures: Sequence[Measure], metric: str, what: str, extra_vars: int = 0
) -> PlanBlocks:
    """Atoms of positive mass, the cost matrices ``d(s_i, y_kj) / unit`` and the size check.

    The LP has one plan ``S x atoms_k`` per measure, the masses on ``S`` and ``extra_vars`` more
    variables; beyond :data:`MAX_LP_VARIABLES` it raises :class:`SizeLimitError` naming ``what``.
    """
    inputs = [positive_atoms(m) for m in measures]
    sizes = [y.shape[0] for y, _ in inputs]
    s = S.shape[0]
    n_vars = s * sum(sizes) + s + extra_vars
    if n_vars > MAX_LP_VARIABLES:
        raise SizeLimitError(
            f"{what}: {s} support points x {sum(sizes)} input atoms (sizes {sizes}) make {n_vars} LP "
            f"variables, beyond MAX_LP_VARIABLES = {MAX_LP_VARIABLES}; use grid measures or fewer points"
        )
    union = np.vstack([S] + [y for y, _ in inputs])
    unit = unit_length(union)
    costs = [pairwise_distances(S, y, metric) / unit for y, _ in inputs]
    return PlanBlocks(inputs, union, unit, costs, n_vars)


def barycenter_lp(
    M: list[NDArray[np.float64]], b: list[NDArray[np.float64]], lam: NDArray[np.float64]
) -> tuple[NDArray[np.float64], sp.csr_matrix, NDArray[np.float64]]:
    """Objective, constraint matrix and right-hand side of the fixed-support barycenter LP.

    Columns: ``pi_1`` (``s x n_1``, row-major), ..., ``pi_K``, then ``mu`` (``s``). Rows:
    ``pi_k 1 - mu = 0`` for every ``k`` (``K s`` rows), then ``pi_k^T 1 = b_k``.
    """
    s = M[0].shape[0]
    ones_row = [sp.csr_matrix(np.ones((1, bk.size))) for bk in b]
    rows_mu = sp.block_diag([sp.kron(sp.identity(s), o) for o in ones_row])
    rows_nu = sp.block_diag([sp.kron(np.ones((1, s)), sp.identity(bk.size)) for bk in b])
    minus_mu = sp.vstack([-sp.identity(s)] * len(b))
    A = sp.bmat([[rows_mu, minus_mu], [rows_nu, None]], format="csr")
    c = np.concatenate([lk * Mk.ravel() for lk, Mk in zip(lam, M, strict=True)] + [np.zeros(s)])
    rhs = np.concatenate([np.zeros(len(b) * s)] + list(b))
    return c, A, rhs


def _union_label(measures: Sequence[Measure], support: NDArray[np.float64]) -> str:
    union = np.unique(np.vstack([positive_atoms(m)[0] for m in measures]), axis=0)
    given = np.unique(support, axis=0)
    same = union.shape == given.shape and np.array_equal(union, given)
    return "union of input supports" if same else "given points"


def barycenter_on_support(
    measures: Sequence[Measure],
    lam: NDArray[np.float64],
    metric: str,
    support_points: NDArray[np.float64],
    *,
    support_label: Optional[str] = None,
) -> BarycenterResult:
    """Exact W1 barycenter among measures on given support points (theory fact 3).

    Solves, with HiGHS,

    .. math::

        \\min_{\\mu \\ge 0,\\ \\pi_k \\ge 0} \\sum_k \\lambda_k \\langle M_k, \\pi_k \\rangle
        \\quad \\text{s.t.} \\quad \\pi_k 1 = \\mu,\\ \\pi_k^\\top 1 = b_k \\quad (k = 1..K),

    with ``M_k[i, j] = d(s_i, y_{kj})`` (``sum mu = 1`` follows). From the duals ``beta_k``
    of the rows ``pi_k^T 1 = b_k``, the ``lambda_k``-Lipschitz c-transforms
    ``g_k(z) = min_j lambda_k d(z, y_kj) - beta_kj`` give theory fact 3's bound
    ``min_i sum_k g_k(s_i) - sum_k <g_k, nu_k>`` over all measures on the support.
    ``cost`` is recomputed as ``sum_k lambda_k W1(mu, nu_k)`` with :func:`w1_points`.

    Parameters
    ----------
    measures : sequence of Measure
        Inputs ``nu_k``.
    lam : ndarray, shape (K,)
        Weights, non-negative and summing to one.
    metric : {"cityblock", "chebyshev", "euclidean"}
    support_points : ndarray, shape (s, d), or (s,) on the line
        Where the barycenter may put mass.
    support_label : str, optional
        ``info["support"]``; by default ``"union of input supports"`` when the points are
        exactly that union, else ``"given points"``.

    Returns
    -------
    BarycenterResult
        ``measure`` on ``support_points`` (zero masses kept, in the given order).

    Raises
    ------
    SizeLimitError
        The LP has more than :data:`MAX_LP_VARIABLES` variables.
    NotOptimalError
        HiGHS does not report optimal, or cost and lower bound differ by more than
        :data:`~otbary.certificates.GAP_RTOL` relative.
    """
    S = np.asarray(support_points, dtype=float)
    S = S[:, None] if S.ndim == 1 else S
    w = np.asarray(lam, dtype=float)
    s = S.shape[0]
    blocks = plan_blocks(S, measures, metric, "barycenter_on_support")
    inputs, sizes, union, unit, M, n_vars = (blocks.inputs, blocks.sizes, blocks.union, blocks.unit,
                                             blocks.costs, blocks.n_vars)
    c, A, rhs = barycenter_lp(M, [bk for _, bk in inputs], w)
    sol = solve_lp(c, A, rhs, what="fixed-support barycenter LP")
    mass = np.clip(sol.x[-s:], 0.0, None)
    mu = Measure(S, mass, normalize=True)
    offsets = np.cumsum([s] + sizes)
    betas = np.split(unit * sol.row_duals[len(inputs) * s :], np.cumsum(sizes)[:-1])
    g = [c_transform(y, beta, union, metric, lk) for (y, _), beta, lk in zip(inputs, betas, w, strict=True)]
    g_inputs = [gk[lo:hi] for gk, lo, hi in zip(g, offsets[:-1], offsets[1:], strict=True)]
    lower = barycenter_lower_bound([gk[:s] for gk in g], g_inputs, [bk for _, bk in inputs])
    costs = np.array([w1_points(mu, nu, metric).cost for nu in measures])
    cost = float(w @ costs)
    check_gap(cost, lower, problem_scale(union), "fixed-support barycenter")
    label = support_label if support_label is not None else _union_label(measures, S)
    return BarycenterResult(
        measure=mu,
        cost=cost,
        lower_bound=lower,
        weights=w,
        method="exact",
        metric=metric,
        costs=costs,
        potentials=[Potential(union, gk, metric, lipschitz=float(lk)) for gk, lk in zip(g, w, strict=True)],
        info={"support": label, "path": "fixed-support LP", "lp_objective": unit * sol.objective,
              "n_support": s, "n_variables": n_vars},
    )
