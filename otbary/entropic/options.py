"""Argument checks, the eps-scaling schedule and the iteration-cap policy of the entropic solvers."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Optional, Union

import numpy as np
from numpy.typing import NDArray

from ..errors import NotOptimalError
from ..geometry import Grid
from ..measures import Measure
from .kernels import DenseLogKernel, GridLogKernel, LogKernel

__all__ = [
    "DEFAULT_SCALING",
    "check_eps",
    "check_positive",
    "check_max_iter",
    "check_on_max_iter",
    "check_scaling",
    "eps_schedule",
    "report_cap",
    "make_kernel",
    "log_weights",
]

#: Factor between successive eps of the annealing schedule when ``eps_scaling=True``.
DEFAULT_SCALING = 0.5
ON_MAX_ITER = ("warn", "raise")


def check_positive(value: object, name: str) -> float:
    """A finite real number ``> 0`` (``TypeError`` / ``ValueError`` naming ``name`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive real number; got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and > 0; got {value!r}")
    return v


def check_eps(eps: object) -> float:
    """The entropic regularisation ``eps``: finite and ``> 0``."""
    if eps is None:
        raise ValueError("eps is required for entropic solvers (a finite number > 0)")
    return check_positive(eps, "eps")


def check_max_iter(max_iter: object) -> int:
    """A positive integer iteration cap."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral):
        raise TypeError(f"max_iter must be a positive integer; got {type(max_iter).__name__}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be >= 1; got {max_iter}")
    return int(max_iter)


def check_on_max_iter(on_max_iter: object) -> str:
    """``"warn"`` or ``"raise"``."""
    if on_max_iter not in ON_MAX_ITER:
        raise ValueError(f"on_max_iter={on_max_iter!r} is unknown; choose one of {ON_MAX_ITER}")
    return str(on_max_iter)


def check_scaling(eps_scaling: object) -> Optional[float]:
    """``None``/``False`` (no annealing), ``True`` (factor :data:`DEFAULT_SCALING`) or a factor in (0, 1)."""
    if eps_scaling is None or eps_scaling is False:
        return None
    if eps_scaling is True:
        return DEFAULT_SCALING
    q = check_positive(eps_scaling, "eps_scaling")
    if q >= 1:
        raise ValueError(f"eps_scaling must be a factor in (0, 1) (or True/False); got {eps_scaling!r}")
    return q


def eps_schedule(eps: float, start: float, factor: Optional[float]) -> list[float]:
    """``[start, start q, start q^2, ..., eps]``; just ``[eps]`` without annealing or if ``start <= eps``."""
    if factor is None or start <= eps:
        return [eps]
    out = []
    e = start
    while e > eps:
        out.append(e)
        e *= factor
    out.append(eps)
    return out


def report_cap(what: str, n_iter: int, err: float, tol: float, on_max_iter: str) -> None:
    """Warn (``RuntimeWarning``) or raise :class:`~otbary.errors.NotOptimalError` for a capped run."""
    msg = (f"{what} stopped at the iteration cap ({n_iter} iterations) with marginal error "
           f"{err:.3g} > tol={tol:g}; the result is NOT converged (status 'max_iter'). "
           "Raise max_iter or eps, or use eps_scaling=True")
    if on_max_iter == "raise":
        raise NotOptimalError(msg)
    warnings.warn(msg, RuntimeWarning, stacklevel=3)


def make_kernel(x: Measure, y: Measure, metric: str, eps: float) -> LogKernel:
    """The separable grid kernel when ``x`` and ``y`` share a grid and the metric allows it, else dense."""
    grid: Optional[Grid] = x.grid
    if grid is not None and y.grid == grid and (metric == "cityblock" or grid.ndim == 1):
        return GridLogKernel(grid, eps)
    return DenseLogKernel(np.asarray(x.points), np.asarray(y.points), metric, eps)


def log_weights(w: Union[NDArray[np.float64], list[float]]) -> NDArray[np.float64]:
    """``log w`` with ``-inf`` (no warning) where ``w == 0``."""
    a = np.asarray(w, dtype=float)
    out = np.full(a.shape, -np.inf)
    pos = a > 0
    out[pos] = np.log(a[pos])
    return out
