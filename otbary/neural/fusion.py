r"""Fusion of pre-trained models by KL barycenters: geometric mixtures fitted to few target samples.

The KL barycenter :math:`\arg\min_q \sum_k \lambda_k \mathrm{KL}(q \,\|\, p_k)` of densities
:math:`p_1..p_K` is the normalised geometric mixture

.. math::

    q_\lambda(x) = \frac{1}{Z(\lambda)} \prod_k p_k(x)^{\lambda_k}, \qquad
    Z(\lambda) = \int \prod_k p_k^{\lambda_k}, \qquad \lambda \in \Delta_K .

Given a few target samples :math:`x_1..x_n`, :func:`fit_fusion` picks the weights by maximum
likelihood,

.. math::

    \max_{\lambda \in \Delta_K} \; \frac1n \sum_i \sum_k \lambda_k \log p_k(x_i) - \log Z(\lambda),

a concave problem (``log Z`` is convex in ``lambda``) whose gradient is
:math:`\frac1n\sum_i \log p_k(x_i) - \mathbb E_{q_\lambda} \log p_k`. ``Z`` and the expectation
are computed by quadrature on a regular :class:`~otbary.Grid` (low dimension: 1-3D), and the
fitted model is returned as a histogram on that grid, ready for the exact solvers
(:func:`otbary.w1`, :func:`otbary.certify`). Densities come as log-density callables (known
models) or are estimated from samples of each model by a Gaussian kernel density estimate
(:func:`kde_log_density`, for generators and samplers). This is the comparison to put
next to the W1 route (barycenter + fast adaptation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from ..geometry import Grid
from ..measures import Measure, check_weights
from ..results import iteration_status

__all__ = ["FusionResult", "fit_fusion", "geometric_mixture", "kde_log_density"]

LogDensity = Callable[[NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True)
class FusionResult:
    """A geometric mixture ``prod_k p_k^lambda_k / Z`` fitted to target samples.

    Attributes
    ----------
    weights : ndarray
        The fitted ``lambda`` (on the simplex).
    measure : Measure
        ``q_lambda`` as a histogram on the grid.
    log_likelihood : float
        Mean log-likelihood of the target samples under ``q_lambda``.
    log_z : float
        ``log Z(lambda)`` (quadrature).
    converged : bool
        The optimiser's success flag.
    info : dict
    """

    weights: NDArray[np.float64]
    measure: Measure
    log_likelihood: float
    log_z: float
    converged: bool
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``"converged"`` or ``"max_iter"`` (:data:`otbary.results.STATUSES`)."""
        return iteration_status(self.converged)


def kde_log_density(samples: Any, bandwidth: Optional[float] = None) -> LogDensity:
    """Log-density of a Gaussian kernel density estimate of ``samples`` (``scipy.stats.gaussian_kde``).

    Parameters
    ----------
    samples : array (n, d) or (n,)
        Samples of one model (e.g. drawn from a generator).
    bandwidth : float, optional
        ``bw_method`` of :class:`scipy.stats.gaussian_kde` (Scott's rule by default).
    """
    from scipy.stats import gaussian_kde

    x = np.asarray(samples, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"samples must be a finite (n, d) array with n >= 2; got shape {x.shape}")
    kde = gaussian_kde(x.T, bw_method=bandwidth)

    def logpdf(y: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(kde.logpdf(np.atleast_2d(np.asarray(y, dtype=float)).reshape(len(y), -1).T))

    return logpdf


def _log_table(log_densities: Sequence[LogDensity], x: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    rows = []
    for k, f in enumerate(log_densities):
        if not callable(f):
            raise TypeError(f"log_densities[{k}] must be a callable x -> log p_k(x)")
        v = np.asarray(f(x), dtype=float).reshape(-1)
        if v.shape[0] != x.shape[0]:
            raise ValueError(f"log_densities[{k}] returned {v.shape[0]} values for {x.shape[0]} {name}")
        if np.any(np.isnan(v)) or np.any(v == np.inf):
            raise ValueError(f"log_densities[{k}] returned NaN or +inf on the {name}")
        rows.append(np.maximum(v, -1e300))
    return np.stack(rows)  # (K, m)


def _check_grid(grid: Any) -> Grid:
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an otbary.Grid; got {type(grid).__name__}")
    return grid


def geometric_mixture(log_densities: Sequence[LogDensity], weights: Optional[Sequence[float]], grid: Grid
                      ) -> Measure:
    r"""The geometric mixture :math:`\prod_k p_k^{\lambda_k} / Z` as a histogram on ``grid``.

    Parameters
    ----------
    log_densities : sequence of callable
        ``log p_k``, each mapping an ``(m, d)`` array to ``m`` values (``-inf`` allowed).
    weights : sequence of float, optional
        ``lambda`` on the simplex (uniform by default).
    grid : Grid
        Quadrature grid; the mixture is evaluated at its points and normalised there.
    """
    grid = _check_grid(grid)
    lam = check_weights(weights, len(log_densities))
    table = _log_table(log_densities, grid.points, "grid points")
    s = lam @ table
    if not np.any(np.isfinite(s)):
        raise ValueError("the geometric mixture vanishes on every grid point")
    return Measure.on_grid(grid, softmax(s).reshape(grid.shape))


def fit_fusion(
    log_densities: Sequence[LogDensity],
    samples: Any,
    grid: Grid,
    *,
    init: Optional[Sequence[float]] = None,
) -> FusionResult:
    r"""Fit the weights of the geometric mixture :math:`\prod_k p_k^{\lambda_k} / Z` to target samples.

    Maximises the mean log-likelihood of ``samples`` over the simplex (see the module doc),
    ``log Z`` by quadrature on ``grid`` (cell volume ``prod(spacing)``), with L-BFGS on a softmax
    parametrisation of ``lambda`` and the exact gradient.

    Parameters
    ----------
    log_densities : sequence of callable
        ``log p_k`` of the pre-trained models (known densities, or :func:`kde_log_density` of
        their samples).
    samples : array (n, d)
        The few target samples.
    grid : Grid
        Quadrature grid covering the models' mass.
    init : sequence of float, optional
        Starting weights (uniform by default).

    Returns
    -------
    FusionResult

    Raises
    ------
    ValueError
        Fewer than two models, samples of the wrong dimension or non-finite, a log-density of
        the wrong length or NaN, ``init`` of the wrong length.
    """
    grid = _check_grid(grid)
    k = len(log_densities)
    if k < 2:
        raise ValueError(f"log_densities must hold at least two models; got {k}")
    x = np.asarray(samples, dtype=float)
    if x.ndim == 1 and grid.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] != grid.ndim:
        raise ValueError(f"samples must have shape (n, {grid.ndim}); got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples contain NaN or infinite values")
    lam0 = check_weights(init, k, "init")
    at_samples = _log_table(log_densities, x, "samples")  # (K, n)
    if np.any(~np.isfinite(at_samples)):
        raise ValueError("a model gives zero density to a target sample: the likelihood is -inf")
    at_grid = _log_table(log_densities, grid.points, "grid points")  # (K, m)
    mean_s = at_samples.mean(axis=1)
    log_vol = float(np.sum(np.log(np.asarray(grid.spacing, dtype=float) * np.ones(grid.ndim))))

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        lam = softmax(theta)
        s = lam @ at_grid
        log_z = float(logsumexp(s)) + log_vol
        q = softmax(s)
        g_lam = mean_s - at_grid @ q  # d loglik / d lambda
        val = float(lam @ mean_s) - log_z
        g_theta = lam * (g_lam - lam @ g_lam)  # chain rule through the softmax
        return -val, -g_theta

    theta0 = np.log(np.maximum(lam0, 1e-12))
    res = minimize(objective, theta0, jac=True, method="L-BFGS-B")
    lam = softmax(res.x)
    s = lam @ at_grid
    log_z = float(logsumexp(s)) + log_vol
    measure = Measure.on_grid(grid, softmax(s).reshape(grid.shape))
    return FusionResult(weights=lam, measure=measure, log_likelihood=float(lam @ mean_s) - log_z,
                        log_z=log_z, converged=bool(res.success),
                        info={"n_iter": int(res.nit), "message": str(res.message)})
