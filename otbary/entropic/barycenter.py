r"""Entropic W1 barycenters by iterative Bregman projections, in the log domain.

For inputs ``nu_1..nu_K`` (weights ``lambda``) and a support ``S`` for the barycenter,
Benamou et al. (2015) solve

.. math::

    \min_{\mu,\, P_k \ge 0} \sum_k \lambda_k \big(\langle C_k, P_k\rangle
        + \varepsilon \textstyle\sum_{ij} P_{k,ij} (\log P_{k,ij} - 1)\big)
    \quad\text{s.t.}\quad P_k \mathbf{1} = \mu,\; P_k^\top \mathbf{1} = \nu_k,

``C_k = d(S, supp nu_k)`` (the W1 cost ``d``, not ``d^2``), by alternating KL projections
onto the two families of constraints. With log-scalings ``a_k`` (on ``S``) and ``b_k`` (on
``supp nu_k``), ``P_k = exp(a_k + b_k - C_k / eps)`` and one iteration reads

.. math::

    b_k = \log\nu_k - \mathcal{K}_k^\top a_k, \qquad
    \log\mu = \sum_k \lambda_k \mathcal{K}_k b_k \;[+\, c], \qquad
    a_k = \log\mu - \mathcal{K}_k b_k,

with the log-kernels ``\mathcal{K}`` of :mod:`otbary.entropic.kernels` (separable on
grids with the cityblock metric). After it every ``P_k`` has first marginal ``mu``
exactly; the run stops when the second marginals are within ``tol``:
``max_k ||P_k^T 1 - nu_k||_1 <= tol``. The *debiased* barycenter (Janati et al. 2020)
adds the log-potential ``c`` of the autocorrelation term, updated by
``c <- (c + log mu - K c) / 2``; it then also stops on ``||exp(c + K c) - mu||_1 <= tol``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geometry import Grid, box_diameter, check_metric
from ..measures import Measure, check_measures, check_weights
from ..results import BarycenterResult, iteration_status
from ..support import SupportArg, resolve_support
from .kernels import DenseLogKernel, GridLogKernel, LogKernel
from .options import (
    check_eps,
    check_max_iter,
    check_on_max_iter,
    check_positive,
    check_scaling,
    eps_schedule,
    log_weights,
    report_cap,
)

__all__ = ["entropic_barycenter"]

Array = NDArray[np.float64]


# --------------------------------------------------------------------------- problem setup


@dataclass
class _Problem:
    """The barycenter support, the inputs on their own atoms, and how to build kernels."""

    support: Measure  # the points of S (a grid Measure when S is a grid); weights unused
    nus: list[Array]  # masses of the inputs on their atoms
    points: list[Array]  # atoms of the inputs
    metric: str
    grid: Optional[Grid]  # set when the separable kernel applies
    diameter: float
    shared: bool = False  # all inputs on the support's atoms: one batched kernel

    def kernels(self, eps: float) -> tuple[list[LogKernel], LogKernel]:
        """Per-input kernels ``S x supp nu_k`` and the ``S x S`` kernel (debiasing)."""
        if self.grid is not None:
            gk = GridLogKernel(self.grid, eps)
            return [gk] * len(self.nus), gk
        s = np.asarray(self.support.points)
        sym = DenseLogKernel(s, s, self.metric, eps)
        if self.shared:
            return [sym] * len(self.nus), sym
        return [DenseLogKernel(s, p, self.metric, eps) for p in self.points], sym


def _setup(measures: list[Measure], metric: str, support: SupportArg) -> _Problem:
    if isinstance(support, str) and support == "free":
        raise ValueError("support='free' is not available with method='entropic'; "
                         "pass None (the shared grid or the union of the supports), a Grid, a Measure "
                         "or points")
    kind, data = resolve_support(measures, support)
    if kind == "grid":
        assert isinstance(data, Grid)
        grid = data
        sup = Measure.on_grid(grid, np.full(grid.size, 1.0 / grid.size))
        nus = [np.asarray(m.weights, dtype=float) for m in measures]
        pts = [np.asarray(grid.points)] * len(measures)
        separable = metric == "cityblock" or grid.ndim == 1
        diam = grid.diameter(metric)
        return _Problem(sup, nus, pts, metric, grid if separable else None, diam, shared=True)
    if kind == "1d":
        data = np.unique(np.concatenate([m.compress().points for m in measures]), axis=0)
    s = np.asarray(data, dtype=float)
    sup = Measure(s)
    cm = [m.compress() for m in measures]
    allp = np.concatenate([s] + [np.asarray(m.points) for m in cm])
    return _Problem(sup, [np.asarray(m.weights) for m in cm], [np.asarray(m.points) for m in cm],
                    metric, None, box_diameter(allp, metric))


# --------------------------------------------------------------------------- the iteration


def _apply(kernels: list[LogKernel], xs: list[Array], transpose: bool) -> list[Array]:
    if all(k is kernels[0] for k in kernels):
        op = kernels[0].apply_t if transpose else kernels[0].apply
        out = op(np.stack(xs))
        return list(out)
    return [(k.apply_t if transpose else k.apply)(x[None, :])[0] for k, x in zip(kernels, xs, strict=True)]


def _l1_violation(log_marg: Array, target: Array) -> float:
    return float(np.abs(np.exp(log_marg) - target).sum())


@dataclass
class _State:
    a: list[Array]
    b: list[Array]
    c: Optional[Array]
    log_mu: Array
    kb: list[Array] = field(default_factory=list)
    n_iter: int = 0
    err: float = np.inf
    errors: list[float] = field(default_factory=list)


def _ibp(prob: _Problem, lam: Array, eps_list: list[float], tol: float, stage_tol: float, max_iter: int,
         debiased: bool, omega: float = 1.0) -> tuple[_State, bool, list[LogKernel], float]:
    lognu = [log_weights(nu) for nu in prob.nus]
    n = prob.support.size
    st = _State([np.zeros(n) for _ in prob.nus], [np.zeros(p.shape[0]) for p in prob.points],
                np.zeros(n) if debiased else None, np.full(n, -np.log(n)))
    converged = False
    prev_eps = eps_list[0]
    kernels: list[LogKernel] = []
    sym: Optional[LogKernel] = None
    eps = eps_list[0]
    for stage, eps in enumerate(eps_list):
        last = stage == len(eps_list) - 1
        target = tol if last else max(tol, stage_tol)
        kernels, sym = prob.kernels(eps)
        r = prev_eps / eps
        if r != 1.0:
            st.a = [x * r for x in st.a]
            st.b = [x * r for x in st.b]
            if st.c is not None:
                st.c = st.c * r
        prev_eps = eps
        first = True
        while True:
            kt = _apply(kernels, st.a, transpose=True)
            if not first:
                err = max(_l1_violation(bk + ktk, nu) for bk, ktk, nu in zip(st.b, kt, prob.nus, strict=True))
                if st.c is not None:
                    kc = sym.apply(st.c[None, :])[0]
                    err = max(err, _l1_violation(st.c + kc, np.exp(st.log_mu)))
                st.err = err
                st.errors.append(err)
                if err <= target:
                    converged = last
                    break
            if st.n_iter >= max_iter:
                return st, False, kernels, eps
            first = False
            if first or omega == 1.0:
                st.b = [lnu - ktk for lnu, ktk in zip(lognu, kt, strict=True)]
            else:  # over-relaxed projection b <- (1 - w) b + w b_new (finite entries only)
                with np.errstate(invalid="ignore"):
                    st.b = [np.where(np.isfinite(lnu), (1 - omega) * bk + omega * (lnu - ktk), -np.inf)
                            for bk, lnu, ktk in zip(st.b, lognu, kt, strict=True)]
            st.kb = _apply(kernels, st.b, transpose=False)
            # log mu = sum_k lam_k log(P_k 1) = sum_k lam_k (a_k + K b_k); sum_k lam_k a_k is 0
            # (biased) or c (debiased) by construction, so it is not re-added
            log_mu = np.sum([lk * kbk for lk, kbk in zip(lam, st.kb, strict=True)], axis=0)
            if st.c is not None:
                log_mu = log_mu + st.c
                st.c = 0.5 * (st.c + log_mu - sym.apply(st.c[None, :])[0])
            st.log_mu = log_mu
            st.a = [log_mu - kbk for kbk in st.kb]
            st.n_iter += 1
        if converged:
            break
    return st, converged, kernels, eps


# --------------------------------------------------------------------------- public entry


def entropic_barycenter(
    measures: Sequence[Measure],
    weights: Optional[ArrayLike] = None,
    metric: str = "euclidean",
    *,
    eps: float,
    support: SupportArg = None,
    tol: float = 1e-6,
    max_iter: int = 20000,
    on_max_iter: str = "warn",
    debiased: bool = False,
    eps_scaling: Union[bool, float, None] = None,
    exact_cost: bool = True,
    certify: bool = False,
    relaxation: float = 1.0,
) -> BarycenterResult:
    r"""Entropic W1 barycenter (iterative Bregman projections, log domain).

    Solves the entropic problem of the module docstring (cost ``d(x, y)``, regularisation
    ``eps`` in the units of the coordinates) and reports the **exact** unregularised
    objective of the measure it returns:

    .. math::

        \text{cost} = \sum_k \lambda_k W_1(\mu_\varepsilon, \nu_k)

    computed by the exact solver (:func:`otbary.solve_w1`).

    Parameters
    ----------
    measures : sequence of Measure or array_like
        The inputs ``nu_k``.
    weights : array_like, optional
        ``lambda`` (non-negative, summing to one); ``None`` gives ``1/K``.
    metric : {"euclidean", "cityblock", "chebyshev"}
    eps : float
        Regularisation ``> 0``.
    support : None, Grid, Measure or array_like
        Where the barycenter lives. ``None``: the shared grid of histogram inputs (separable
        kernel with the cityblock metric, or any metric on a 1D grid; a dense ``N x N`` kernel
        otherwise, size-limited), else the union of the inputs' atoms (dense kernels).
        ``"free"`` is not available here.
    tol : float
        Stop when ``max_k ||P_k^T 1 - nu_k||_1 <= tol`` (every ``P_k 1 = mu`` exactly).
    max_iter : int
        Iteration cap over all eps stages.
    on_max_iter : {"warn", "raise"}
        At the cap: warn (``RuntimeWarning``; ``.status = "max_iter"``) or raise
        :class:`~otbary.errors.NotOptimalError`.
    debiased : bool
        The debiased barycenter of Janati et al. (2020).
    eps_scaling : bool or float, optional
        Anneal eps from the support's diameter down to ``eps`` by this factor per stage
        (``True``: 0.5); intermediate stages stop at ``max(tol, 1e-3)``.
    exact_cost : bool
        Compute ``.cost`` / ``.costs`` exactly (default). With ``False`` they are ``inf``
        (nothing is claimed) and ``info["plan_cost"]`` holds the entropic plans' cost.
    relaxation : float
        Over-relaxation ``w`` in ``(0, 2)`` of the input-side projection,
        ``b_k <- (1 - w) b_k + w b_k^new`` (``1``: plain Bregman projections). ``w`` around
        1.5 to 1.9 often halves the iterations on slowly converging inputs (on fast ones it
        can add some); the stopping test is unchanged
        (it measures the actual marginals), so a diverging choice ends at the cap, never
        as "converged".
    certify : bool
        Also solve the exact barycenter on the same support
        (``ob.barycenter(..., method="exact", support=...)``): ``info["exact_optimum"]`` and
        ``.lower_bound`` = its certified lower bound.

    Returns
    -------
    BarycenterResult
        ``.measure`` the entropic barycenter (renormalised to mass one); ``.cost`` the exact
        objective above; ``.lower_bound`` a certified lower bound on the exact optimum over
        the support: by default the entropic dual bound
        ``min_i sum_k lambda_k a_k^c(i) + sum_k lambda_k <g_k, nu_k>`` (``g_k = eps b_k`` and
        its soft c-transform ``a_k^c = -eps K_k b_k``, a feasible Kantorovich pair since
        ``-eps LSE <= min``), with ``certify=True`` the exact solver's bound;
        ``.method = "entropic"``; ``.status`` ``"converged"`` or ``"max_iter"``; ``.info``
        with ``entropic_value`` (``sum_k lambda_k (<C, P_k> + eps sum P_k (log P_k - 1))``),
        ``plan_cost``, ``eps``, ``n_iter``, ``marginal_error``, ``debiased``,
        ``eps_schedule``, ``path`` (``"grid-separable"`` or ``"dense"``), ``mass_defect``,
        ``log_scalings`` (the lists ``a_k``, ``b_k``: ``P_k = exp(a_k + b_k - C_k / eps)``), ``relaxation``
        and the times ``time_entropic``, ``time_exact_cost``, ``time_certify``.
    """
    t0 = time.perf_counter()
    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    eps = check_eps(eps)
    tol = check_positive(tol, "tol")
    max_iter = check_max_iter(max_iter)
    on_max_iter = check_on_max_iter(on_max_iter)
    factor = check_scaling(eps_scaling)
    omega = check_positive(relaxation, "relaxation")
    if omega >= 2:
        raise ValueError(f"relaxation must be in (0, 2); got {relaxation!r}")
    prob = _setup(ms, metric, support)
    schedule = eps_schedule(eps, prob.diameter, factor)
    st, converged, kernels, _ = _ibp(prob, lam, schedule, tol, 1e-3, max_iter, bool(debiased), omega)
    if np.any(np.isnan(st.log_mu)) or np.any(st.log_mu == np.inf):
        raise FloatingPointError("entropic barycenter produced NaN or overflow")  # pragma: no cover
    mu = np.exp(st.log_mu)
    mass = float(mu.sum())
    if not np.isfinite(mass) or mass <= 0:
        raise FloatingPointError(f"entropic barycenter has mass {mass}")  # pragma: no cover
    t_ent = time.perf_counter() - t0
    if not converged:
        report_cap("entropic barycenter", st.n_iter, st.err, tol, on_max_iter)
    if prob.grid is not None or prob.support.grid is not None:
        grid = prob.support.grid
        assert grid is not None
        bary = Measure.on_grid(grid, mu, normalize=True)
    else:
        bary = Measure(prob.support.points, mu, normalize=True)

    # entropic value, plan cost and the dual lower bound (eps-units -> cost units)
    if not st.kb:  # zero iterations happen only if max_iter == 0, which is refused above
        raise AssertionError("no iteration was run")  # pragma: no cover
    kt = _apply(kernels, st.a, transpose=True)
    value = 0.0
    plan_cost = 0.0
    dual_lower = float(np.min(np.sum([-eps * lk * kbk for lk, kbk in zip(lam, st.kb, strict=True)], axis=0)))
    for k, (lk, ak, bk, nu) in enumerate(zip(lam, st.a, st.b, prob.nus, strict=True)):
        marg_nu = np.exp(bk + kt[k])
        pos_mu = mu > 0
        pos_nu = marg_nu > 0
        v_k = eps * (float(ak[pos_mu] @ mu[pos_mu]) + float(bk[pos_nu] @ marg_nu[pos_nu])) - eps * mass
        value += lk * v_k
        plan_cost += lk * float(kernels[k].transport_cost(ak[None, :], bk[None, :])[0])
        posk = nu > 0
        dual_lower += lk * eps * float(bk[posk] @ nu[posk])
    info: dict[str, Any] = {
        "entropic_value": value,
        "plan_cost": plan_cost,
        "dual_lower_bound": dual_lower,
        "eps": eps,
        "eps_schedule": schedule,
        "n_iter": st.n_iter,
        "marginal_error": st.err,
        "tol": tol,
        "debiased": bool(debiased),
        "relaxation": omega,
        "path": "grid-separable" if prob.grid is not None else "dense",
        "mass_defect": abs(mass - 1.0),
        "support": ("grid" if prob.support.grid is not None else f"points (n={prob.support.size})"),
        "time_entropic": t_ent,
        "log_scalings": (st.a, st.b),
    }
    costs = np.full(len(ms), np.inf)
    cost = np.inf
    if exact_cost:
        from ..exact.w1 import solve_w1

        t1 = time.perf_counter()
        for k, m in enumerate(ms):
            costs[k] = solve_w1(bary, m, metric).cost
        cost = float(lam @ costs)
        info["time_exact_cost"] = time.perf_counter() - t1
    lower = dual_lower
    if certify:
        from ..exact.barycenter import exact_barycenter

        t2 = time.perf_counter()
        sup_arg: SupportArg = prob.support.grid if prob.support.grid is not None else prob.support.points
        ex = exact_barycenter(ms, lam, metric, sup_arg)
        info["exact_optimum"] = ex.cost
        info["time_certify"] = time.perf_counter() - t2
        lower = max(lower, float(ex.lower_bound))
    info["time"] = time.perf_counter() - t0
    return BarycenterResult(
        measure=bary,
        cost=cost,
        lower_bound=lower,
        weights=lam,
        method="entropic",
        metric=metric,
        costs=costs,
        potentials=None,
        status=iteration_status(converged),
        info=info,
    )
