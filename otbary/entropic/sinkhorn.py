r"""Entropic W1 between two measures: log-domain Sinkhorn and the debiased Sinkhorn divergence.

With cost ``C_ij = d(x_i, y_j)`` (W1: the distance itself, not its square) and
regularisation ``eps``,

.. math::

    \mathrm{OT}_\varepsilon(\mu, \nu) = \min_{P \in \Pi(\mu, \nu)}
        \langle C, P\rangle + \varepsilon\, \mathrm{KL}(P \,|\, \mu \otimes \nu).

The optimal plan is ``P_ij = exp(u_i + v_j - C_ij / eps)`` for log-scalings ``u, v``
(``u = f / eps + log mu``, ``v = g / eps + log nu`` with dual potentials ``f, g``);
Sinkhorn alternates ``v = log nu - K^T u`` and ``u = log mu - K v`` with the log-kernels of
:mod:`otbary.entropic.kernels` (separable on grids with the cityblock metric) and stops
when ``||P^T 1 - nu||_1 <= tol`` (``P 1 = mu`` holds exactly after each iteration). The
value at the returned plan is, with its actual marginals,

.. math::

    \langle C, P\rangle + \varepsilon \mathrm{KL}(P | \mu\otimes\nu)
    = \langle f, P\mathbf 1\rangle + \langle g, P^\top\mathbf 1\rangle - \varepsilon (P(\mathbf 1) - 1).

The Sinkhorn divergence (Feydy et al. 2019)
``S_eps(mu, nu) = OT_eps(mu, nu) - (OT_eps(mu, mu) + OT_eps(nu, nu)) / 2`` is non-negative,
zero iff ``mu = nu``, and tends to ``W1`` as ``eps -> 0``; the symmetric terms are solved
by the averaged iteration ``u <- (u + log mu - K u) / 2``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
from numpy.typing import NDArray

from ..geometry import box_diameter, check_metric
from ..measures import Measure, check_pair
from ..results import SinkhornResult
from .kernels import LogKernel
from .options import (
    check_eps,
    check_max_iter,
    check_on_max_iter,
    check_positive,
    check_scaling,
    eps_schedule,
    log_weights,
    make_kernel,
    report_cap,
)

__all__ = ["sinkhorn_w1", "sinkhorn_divergence"]

Array = NDArray[np.float64]


@dataclass
class _Run:
    value: float
    cost: float
    n_iter: int
    err: float
    converged: bool
    kernel: LogKernel
    u: Array
    v: Array


def _diameter(mu: Measure, nu: Measure, metric: str) -> float:
    return box_diameter(np.concatenate([mu.points, nu.points]), metric)


def _value(eps: float, u: Array, v: Array, kv: Array, ku: Array, a: Array, b: Array) -> float:
    """``<f, P1> + <g, P^T 1> - eps (mass - 1)`` with ``f = eps (u - log a)``, ``g = eps (v - log b)``."""
    pa = np.exp(u + kv)  # P 1
    pb = np.exp(v + ku)  # P^T 1
    ia, ib = a > 0, b > 0
    f = u[ia] - np.log(a[ia])
    g = v[ib] - np.log(b[ib])
    return float(eps * (f @ pa[ia] + g @ pb[ib]) - eps * (pa.sum() - 1.0))


def _sinkhorn(mu: Measure, nu: Measure, metric: str, eps: float, tol: float, max_iter: int,
              factor: Optional[float], symmetric: bool) -> _Run:
    a = np.asarray(mu.weights, dtype=float)
    b = np.asarray(nu.weights, dtype=float)
    la, lb = log_weights(a), log_weights(b)
    schedule = eps_schedule(eps, _diameter(mu, nu, metric), factor)
    u = la.copy()
    v = lb.copy()
    n_iter = 0
    err = np.inf
    converged = False
    prev = schedule[0]
    kernel = make_kernel(mu, nu, metric, schedule[0])
    for stage, e in enumerate(schedule):
        last = stage == len(schedule) - 1
        target = tol if last else max(tol, 1e-3)
        kernel = kernel.with_eps(e)
        r = prev / e
        if r != 1.0:  # keep f = eps (u - log a) and g across the eps change
            with np.errstate(invalid="ignore"):
                u = np.where(np.isfinite(la), la + (u - la) * r, -np.inf)
                v = np.where(np.isfinite(lb), lb + (v - lb) * r, -np.inf)
        prev = e
        first = True
        while True:
            if symmetric:
                ku = kernel.apply(u[None, :])[0]
                if not first:
                    err = float(np.abs(np.exp(u + ku) - a).sum())
                    if err <= target:
                        converged = last
                        break
                if n_iter >= max_iter:
                    break
                u = 0.5 * (u + la - ku)
                v = u
            else:
                ku = kernel.apply_t(u[None, :])[0]
                if not first:
                    err = float(np.abs(np.exp(v + ku) - b).sum())
                    if err <= target:
                        converged = last
                        break
                if n_iter >= max_iter:
                    break
                v = lb - ku
                u = la - kernel.apply(v[None, :])[0]
            first = False
            n_iter += 1
        if n_iter >= max_iter and not converged:
            break
    e = kernel.eps
    kv = kernel.apply(v[None, :])[0]
    ku = kernel.apply_t(u[None, :])[0]
    value = _value(e, u, v, kv, ku, a, b)
    cost = float(kernel.transport_cost(u[None, :], v[None, :])[0])
    if not (np.isfinite(value) and np.isfinite(cost)):
        raise FloatingPointError(f"Sinkhorn gave a non-finite value ({value}, {cost})")  # pragma: no cover
    return _Run(value, cost, n_iter, err, converged, kernel, u, v)


def sinkhorn_w1(
    mu: Measure,
    nu: Measure,
    eps: float,
    metric: str = "euclidean",
    *,
    tol: float = 1e-6,
    max_iter: int = 20000,
    on_max_iter: str = "warn",
    eps_scaling: Union[bool, float, None] = None,
    divergence: bool = False,
) -> SinkhornResult:
    r"""Entropic W1: log-domain Sinkhorn with cost ``d(x, y)``.

    .. math::

        \mathrm{OT}_\varepsilon(\mu, \nu) = \min_{P \in \Pi(\mu, \nu)}
            \langle C, P\rangle + \varepsilon\, \mathrm{KL}(P \,|\, \mu \otimes \nu)

    Histograms on one :class:`~otbary.Grid` with the cityblock metric (any metric on a 1D
    grid) use the separable kernel (``O(N)`` memory); everything else a dense kernel
    (size-limited, :class:`~otbary.errors.SizeLimitError`).

    Parameters
    ----------
    mu, nu : Measure or array_like
    eps : float
        Regularisation ``> 0`` (units of the coordinates).
    metric : {"euclidean", "cityblock", "chebyshev"}
    tol : float
        Stop when ``||P^T 1 - nu||_1 <= tol``.
    max_iter : int
        Iteration cap (all eps stages together).
    on_max_iter : {"warn", "raise"}
        At the cap: ``RuntimeWarning`` and ``converged=False``, or
        :class:`~otbary.errors.NotOptimalError`.
    eps_scaling : bool or float, optional
        Anneal eps from the diameter down by this factor per stage (``True``: 0.5).
    divergence : bool
        Also compute the debiased Sinkhorn divergence (``.divergence``).

    Returns
    -------
    SinkhornResult
        ``.value = OT_eps`` at the returned plan, ``.cost = <C, P>`` (what
        ``ot.sinkhorn2`` returns for the same cost matrix and ``reg = eps``),
        ``.divergence``, ``.n_iter``, ``.converged``, ``.marginal_error``; ``.info`` holds
        ``path``, ``eps_schedule``, ``time`` and, with ``divergence=True``, the symmetric
        terms ``ot_mu_mu`` / ``ot_nu_nu`` and whether each converged.
    """
    t0 = time.perf_counter()
    mu, nu = check_pair(mu, nu)
    metric = check_metric(metric)
    eps = check_eps(eps)
    tol = check_positive(tol, "tol")
    max_iter = check_max_iter(max_iter)
    on_max_iter = check_on_max_iter(on_max_iter)
    factor = check_scaling(eps_scaling)
    run = _sinkhorn(mu, nu, metric, eps, tol, max_iter, factor, symmetric=False)
    info: dict[str, Any] = {
        "path": "grid-separable" if type(run.kernel).__name__ == "GridLogKernel" else "dense",
        "eps_schedule": eps_schedule(eps, _diameter(mu, nu, metric), factor),
    }
    converged = run.converged
    div: Optional[float] = None
    if divergence:
        rm = _sinkhorn(mu, mu, metric, eps, tol, max_iter, factor, symmetric=True)
        rn = _sinkhorn(nu, nu, metric, eps, tol, max_iter, factor, symmetric=True)
        div = run.value - 0.5 * (rm.value + rn.value)
        info.update({"ot_mu_mu": rm.value, "ot_nu_nu": rn.value, "converged_mu_mu": rm.converged,
                     "converged_nu_nu": rn.converged, "n_iter_symmetric": (rm.n_iter, rn.n_iter)})
        converged = converged and rm.converged and rn.converged
    if not converged:
        report_cap("sinkhorn_w1", run.n_iter, run.err, tol, on_max_iter)
    info["time"] = time.perf_counter() - t0
    return SinkhornResult(
        value=run.value,
        cost=run.cost,
        eps=eps,
        metric=metric,
        n_iter=run.n_iter,
        converged=converged,
        marginal_error=run.err,
        divergence=div,
        info=info,
    )


def sinkhorn_divergence(
    mu: Measure,
    nu: Measure,
    eps: float,
    metric: str = "euclidean",
    **options: Any,
) -> float:
    r"""Debiased Sinkhorn divergence (a float; the full result: ``sinkhorn_w1(..., divergence=True)``).

    .. math::

        S_\varepsilon(\mu, \nu) = \mathrm{OT}_\varepsilon(\mu, \nu)
            - \tfrac12 \mathrm{OT}_\varepsilon(\mu, \mu) - \tfrac12 \mathrm{OT}_\varepsilon(\nu, \nu)

    with ``OT_eps`` of :func:`sinkhorn_w1` (KL relative to the product of the marginals).
    ``S_eps >= 0``, ``S_eps(mu, mu) = 0``, and ``S_eps -> W1`` as ``eps -> 0``.

    Parameters
    ----------
    mu, nu : Measure or array_like
    eps : float
    metric : {"euclidean", "cityblock", "chebyshev"}
    **options
        ``tol``, ``max_iter``, ``on_max_iter``, ``eps_scaling`` of :func:`sinkhorn_w1`.
    """
    res = sinkhorn_w1(mu, nu, eps, metric, divergence=True, **options)
    assert res.divergence is not None
    return float(res.divergence)
