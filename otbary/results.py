"""Typed results returned by the solvers, and the one status vocabulary they share.

Every result says how it ended with one word of :data:`STATUSES` (``.status``, a property
on the results of iterative solvers whose fields are ``converged`` and ``n_iter``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from numpy.typing import NDArray

from .measures import Measure
from .potentials import Potential

__all__ = ["STATUSES", "W1Result", "BarycenterResult", "SinkhornResult", "BallResult", "CertifyResult",
           "check_status", "iteration_status"]

#: The status words of every result and what each one claims.
STATUSES: dict[str, str] = {
    "optimal": "certified optimal: the cost and a dual lower bound agree within the certificate's tolerance",
    "converged": "an iterative method met its tolerance (no optimality certificate)",
    "max_iter": "an iterative method stopped at its iteration cap before meeting its tolerance",
    "feasible": "a valid answer with no optimality claim (e.g. the recursive barycenter)",
    "infeasible": "the constraints admit no answer (a ball problem whose balls do not meet)",
}


def check_status(status: str) -> str:
    """``status`` if it is a word of :data:`STATUSES`, else ``ValueError`` listing them."""
    if status not in STATUSES:
        raise ValueError(f"status={status!r} is not one of {tuple(STATUSES)}")
    return status


def iteration_status(converged: bool) -> str:
    """``"converged"`` or ``"max_iter"``: the status of an iterative method."""
    return "converged" if converged else "max_iter"


@dataclass(frozen=True)
class W1Result:
    """An exact ``W1(mu, nu)`` with its Kantorovich–Rubinstein certificate.

    Attributes
    ----------
    cost : float
        ``W1(mu, nu)``: the cost of a feasible transport (an upper bound, exact up to the
        certified gap).
    lower_bound : float
        ``<f, mu> - <f, nu>`` for the 1-Lipschitz :attr:`potential` ``f``.
    potential : Potential
        The certificate ``f``, exactly 1-Lipschitz on its points.
    metric : str
    method : str
        Which path computed it (``"1d"``, ``"grid-flow"``, ``"network-simplex"``, ...).
    status : str
        A word of :data:`STATUSES`.
        ``"optimal"``: ``cost - lower_bound`` is within the solver tolerance.
    info : dict
        Solver details (iterations, time, sizes).
    """

    cost: float
    lower_bound: float
    potential: Potential
    metric: str
    method: str
    status: str = "optimal"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_status(self.status)

    @property
    def gap(self) -> float:
        """``cost - lower_bound`` (>= 0 up to rounding)."""
        return self.cost - self.lower_bound

    def __float__(self) -> float:
        return float(self.cost)


@dataclass(frozen=True)
class BarycenterResult:
    """A W1 barycenter ``mu`` of ``nu_1..nu_K`` with weights ``lambda``.

    Attributes
    ----------
    measure : Measure
        The barycenter.
    cost : float
        ``sum_k lambda_k W1(measure, nu_k)``, computed exactly.
    lower_bound : float
        A certified lower bound on the optimum over the support that was searched
        (theory fact 3 for fixed supports; the closed form in 1D).
    weights : ndarray
        ``lambda``.
    method : str
        ``"exact"``, ``"entropic"``, ``"recursive"``, ...
    metric : str
    costs : ndarray
        ``W1(measure, nu_k)`` for each input.
    potentials : list of Potential, optional
        The ``lambda_k``-Lipschitz ``g_k`` behind :attr:`lower_bound`.
    status : str
        A word of :data:`STATUSES`.
    info : dict
        Solver details; ``info["support"]`` says what the optimum was taken over.
    """

    measure: Measure
    cost: float
    lower_bound: float
    weights: NDArray[np.float64]
    method: str
    metric: str
    costs: NDArray[np.float64]
    potentials: Optional[list[Potential]] = None
    status: str = "optimal"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_status(self.status)

    @property
    def gap(self) -> float:
        """``cost - lower_bound``."""
        return self.cost - self.lower_bound

    @property
    def relative_gap(self) -> float:
        """``gap / max(|cost|, tiny)``."""
        return self.gap / max(abs(self.cost), 1e-300)


@dataclass(frozen=True)
class SinkhornResult:
    """An entropic W1 problem between two measures (cost ``d(x, y)``, not ``d^2``).

    Attributes
    ----------
    value : float
        The entropic objective ``OT_eps(mu, nu) = <C, P> + eps * KL(P | mu x nu)`` at the returned plan.
    cost : float
        ``<C, P>``: the transport cost of the entropic plan ``P`` (an upper bound on ``W1`` once the
        plan's marginals are exact).
    divergence : float or None
        The debiased Sinkhorn divergence ``OT_eps(mu, nu) - (OT_eps(mu, mu) + OT_eps(nu, nu)) / 2``
        when it was asked for.
    eps : float
    metric : str
    n_iter : int
        Iterations used.
    converged : bool
        ``True`` when the marginal violation fell below the tolerance before the iteration cap.
    marginal_error : float
        The final L1 marginal violation ``||P^T 1 - nu||_1`` (``P 1 = mu`` holds exactly).
    info : dict
        Solver details: ``path`` (``"grid-separable"`` or ``"dense"``), ``eps_schedule``,
        ``time``; with the divergence also ``ot_mu_mu``, ``ot_nu_nu`` and whether each
        symmetric problem converged (``converged`` covers all three).
    """

    value: float
    cost: float
    eps: float
    metric: str
    n_iter: int
    converged: bool
    marginal_error: float
    divergence: Optional[float] = None
    info: dict[str, Any] = field(default_factory=dict)

    def __float__(self) -> float:
        return float(self.value)

    @property
    def status(self) -> str:
        """``"converged"`` or ``"max_iter"`` (:data:`STATUSES`)."""
        return iteration_status(self.converged)


@dataclass(frozen=True)
class BallResult:
    r"""A Wasserstein-ball problem ``min W1(mu, target) s.t. W1(mu, nu_k) <= eta_k`` (theory fact 10).

    Returned by :func:`otbary.ball_problem`. ``nan`` never appears in any field.

    Attributes
    ----------
    measure : Measure or None
        The minimiser ``mu`` on the support (``None`` when the instance is infeasible).
    cost : float
        ``W1(measure, target)``, recomputed by :func:`otbary.w1` (``inf`` when infeasible).
    multipliers : ndarray
        ``lambda_k = -y_k >= 0``, with ``y_k <= 0`` the LP dual of the radius row
        ``W1(mu, nu_k) <= eta_k``: ``d(optimum) / d(eta_k) = -lambda_k``. By LP duality ``mu``
        also solves the barycenter problem with weights proportional to
        ``(1, lambda_1, ..., lambda_K)``. Zeros when infeasible (see ``info["infeasibility_weights"]``).
    active : ndarray of bool
        ``W1(mu, nu_k) >= eta_k - 1e-6 max(eta_k, diameter)`` (all ``False`` when infeasible).
    feasible : bool
        ``radius_scale <= 1 + 1e-7``.
    radius_scale : float
        The smallest common factor ``s`` such that the radii ``s * eta`` admit a feasible ``mu``
        (a certified upper bound, exact to ``1e-7`` relative; ``info["radius_scale_lower"]`` is the
        certified lower bound). ``inf`` when two different centres have radius 0 (or one of radius
        0 lies off the support).
    distances : ndarray
        ``W1(measure, nu_k)`` recomputed by :func:`otbary.w1` (``inf`` when infeasible).
    lower_bound : float
        The certified dual (Lagrangian) lower bound on the optimum (``-inf`` when infeasible).
    metric : str
    status : str
        A word of :data:`STATUSES`.
        ``"optimal"`` or ``"infeasible"``.
    info : dict
        ``path`` (``"grid-flow"`` or ``"plan"``), ``support``, ``radius_scale_lower``, solver
        details, ``time``; ``infeasibility_weights`` when the LP finds it infeasible: ``w >= 0`` with
        ``w . eta = 1`` and ``min_mu sum_k w_k W1(mu, nu_k) > 1``.
    """

    measure: Optional[Measure]
    cost: float
    multipliers: NDArray[np.float64]
    active: NDArray[np.bool_]
    feasible: bool
    radius_scale: float
    distances: NDArray[np.float64]
    lower_bound: float
    metric: str
    status: str = "optimal"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_status(self.status)

    @property
    def gap(self) -> float:
        """``cost - lower_bound``."""
        return self.cost - self.lower_bound


@dataclass(frozen=True)
class CertifyResult:
    """How far a candidate barycenter is from optimal.

    Attributes
    ----------
    cost : float
        The candidate's objective ``sum_k lambda_k W1(candidate, nu_k)`` (exact for measures;
        sample-based: the midpoint of its lower and upper estimates, ``info["cost_bounds"]``).
    optimum : float
        The optimal objective (exact, certified by :attr:`lower_bound`); sample-based: the
        midpoint of its estimates ``info["optimum_bounds"]``.
    lower_bound : float
        A certified lower bound on the exact optimum over :attr:`support` (sample-based: a
        lower confidence bound on ``J*`` of the continuous inputs).
    gap : float
        ``cost - optimum`` (sample-based: the point estimate inside :attr:`interval`).
    relative_gap : float
        ``gap / optimum`` (``gap`` itself when the optimum is 0).
    support : str
        What the optimum was taken over: ``"all measures"`` (1D closed form, free support) or a
        description of the fixed support (``"grid 32x32"``, ``"given points (n=...)"``).
    costs : ndarray
        The candidate's ``W1(candidate, nu_k)`` for each input.
    weights : ndarray
    metric : str
    distance : float or None
        ``W1(candidate, optimum)`` when the optimum is unique (theory fact 5), else ``None``.
    interval : tuple of float or None
        Sample-based certification: ``(gap_lower, gap_upper)``, which brackets the true gap of
        the continuous distributions with probability at least the confidence; else ``None``.
    relative_interval : tuple of float or None
        The same interval divided by the optimum.
    estimator : str
        ``"exact"`` or a description of the sample-based estimator.
    info : dict
    """

    cost: float
    optimum: float
    lower_bound: float
    gap: float
    relative_gap: float
    support: str
    costs: NDArray[np.float64]
    weights: NDArray[np.float64]
    metric: str
    distance: Optional[float] = None
    interval: Optional[tuple[float, float]] = None
    relative_interval: Optional[tuple[float, float]] = None
    estimator: str = "exact"
    info: dict[str, Any] = field(default_factory=dict)
