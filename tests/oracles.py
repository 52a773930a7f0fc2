"""Independent oracles the tests compare otbary with: POT's network simplex and SciPy's 1D formula.

One copy for every test module (``from oracles import pot_w1``), so that an oracle fixed or
tightened here is fixed everywhere.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import ot
import scipy.stats
from scipy.spatial.distance import cdist

import otbary as ob


def pot_w1(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    """``W1`` by POT's network simplex ``ot.emd2`` on the dense ``cdist`` cost matrix."""
    M = cdist(np.asarray(mu.points), np.asarray(nu.points), metric=metric)
    return float(ot.emd2(np.array(mu.weights), np.array(nu.weights), M, numItermax=10_000_000))


def oracle_w1(mu: ob.Measure, nu: ob.Measure, metric: str) -> float:
    """SciPy's 1D formula (``scipy.stats.wasserstein_distance``) on the line, else :func:`pot_w1`."""
    if mu.dim == 1:
        x, y = np.asarray(mu.points)[:, 0], np.asarray(nu.points)[:, 0]
        return float(scipy.stats.wasserstein_distance(x, y, mu.weights, nu.weights))
    return pot_w1(mu, nu, metric)


def pot_objective(candidate: ob.Measure, measures: Sequence[ob.Measure], lam: Any, metric: str) -> float:
    """``J(c) = sum_k lambda_k W1(c, nu_k)`` with :func:`pot_w1`."""
    return float(sum(lk * pot_w1(candidate, nk, metric) for lk, nk in zip(lam, measures, strict=True)))
