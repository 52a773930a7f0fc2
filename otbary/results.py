"""Typed results returned by the solvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from numpy.typing import NDArray

from .measures import Measure
from .potentials import Potential

__all__ = ["W1Result", "BarycenterResult"]


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
        (DESIGN fact 3 for fixed supports; the closed form in 1D).
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

    @property
    def gap(self) -> float:
        """``cost - lower_bound``."""
        return self.cost - self.lower_bound

    @property
    def relative_gap(self) -> float:
        """``gap / max(|cost|, tiny)``."""
        return self.gap / max(abs(self.cost), 1e-300)
