"""The exact barycenter: dispatch to the exact path that fits the inputs and the support."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..geometry import Grid, check_metric
from ..measures import Measure, check_measures, check_weights
from ..results import BarycenterResult
from ..support import SupportArg, resolve_support

__all__ = ["exact_barycenter"]


def exact_barycenter(measures: Sequence[Measure], weights: np.ndarray, metric: str,
                     support: SupportArg = None) -> BarycenterResult:
    r"""Certified exact barycenter ``argmin_mu sum_k lambda_k W1(mu, nu_k)`` on ``support``.

    The exact half of :func:`otbary.barycenter` (which documents the paths and the
    arguments): 1D closed form, grid flows, the LP on given points, or free support.
    ``weights`` are checked here too, so solver families may call it directly.
    """
    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    kind, data = resolve_support(ms, support)
    if kind == "1d":
        from .onedim import barycenter_1d

        return barycenter_1d(ms, lam, metric)
    if kind == "grid":
        from .grid import barycenter_grid

        assert isinstance(data, Grid)
        return barycenter_grid(ms, lam, metric, data)
    if kind == "points":
        from .pointcloud import barycenter_on_support

        return barycenter_on_support(ms, lam, metric, np.asarray(data))
    from .free_support import barycenter_free

    return barycenter_free(ms, lam, metric)
