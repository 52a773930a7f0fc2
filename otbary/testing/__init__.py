"""Testing tools for Wasserstein-1 solvers: hypothesis strategies and identity checkers.

``otbary.testing.strategies``
    Hypothesis strategies for weight vectors, point clouds, grids, grid histograms, metrics
    and lists of measures, and generators of problems with known answers (pairs with a
    known ``W1``, translates, two-measure barycenters). Requires ``hypothesis``.
``otbary.testing.known``
    The same known-answer problems built from explicit parameters (:func:`make_pushed_pair`,
    :func:`make_translates`, :func:`make_gaussians_1d`), without hypothesis: the validation
    suite uses them, so ``otbary validate`` works from a plain install.
``otbary.testing.identities``
    Checkers (metric axioms, Kantorovich--Rubinstein certificates, the 1D formula,
    translation, scaling, mixtures and displacement interpolation on geodesics, barycenter
    optimality bounds, a barycenter solver against a known optimum, certify results) that
    raise ``AssertionError`` and work with any solver ``w1(mu, nu, metric) -> float``.

The identity checkers are importable from this package directly; the strategies module
is imported on first use so that ``otbary.testing`` works without hypothesis installed.
"""

from __future__ import annotations

from typing import Any

from .identities import (
    BarycenterSolver,
    Interpolator,
    W1Solver,
    cdf_w1,
    check_1d_formula,
    check_barycenter_bounds,
    check_barycenter_solver,
    check_certificate,
    check_certify_result,
    check_interpolation,
    check_known_optimum,
    check_metric_axioms,
    check_mixture_geodesic,
    check_scaling,
    check_translation,
    lipschitz_violation,
    mcshane,
    mixture,
    scale,
    shift_on_grid,
    translate,
)

__all__ = [
    "BarycenterSolver",
    "Interpolator",
    "W1Solver",
    "check_barycenter_solver",
    "check_certify_result",
    "check_interpolation",
    "cdf_w1",
    "check_1d_formula",
    "check_barycenter_bounds",
    "check_certificate",
    "check_known_optimum",
    "check_metric_axioms",
    "check_mixture_geodesic",
    "check_scaling",
    "check_translation",
    "lipschitz_violation",
    "mcshane",
    "mixture",
    "scale",
    "shift_on_grid",
    "strategies",
    "translate",
]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        import importlib

        return importlib.import_module(".strategies", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
