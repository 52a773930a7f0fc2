r"""Certify a candidate barycenter against the exact optimum.

:func:`certify` answers "how far from optimal is this candidate?" for the W1 barycenter
objective

.. math:: J(\mu) = \sum_{k=1}^K \lambda_k W_1(\mu, \nu_k).

Two regimes:

* **exact** (the candidate and every input are :class:`~otbary.Measure` objects, or the
  candidate is an ``(n, d)`` array read as the uniform empirical measure of its rows):
  ``J(candidate)`` is computed exactly, the optimum ``J*`` by an exact solver with its
  certified lower bound, and ``gap = J(candidate) - J*``.
* **sample-based** (the candidate or some input is a sampler ``sampler(n, rng) -> (n, d)``):
  two-sided confidence bounds ``gap_lower <= J(c) - J* <= gap_upper`` for the *continuous*
  distributions, free of quantisation bias (:mod:`otbary.sampled`, docs/theory.md fact 13).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exact.barycenter import exact_barycenter
from .exact.w1 import w1
from .geometry import Grid, check_metric, pairwise_distances
from .measures import Measure, as_measure, check_measures, check_weights
from .results import BarycenterResult, CertifyResult
from .sampled import (
    DEFAULT_N_DRAWS,
    DEFAULT_REPEATS,
    SampledReference,
    Sampler,
    gap_bounds,
    resolve_workers,
    sample_measure,
    t_interval,
)
from .support import SupportArg, resolve_support

__all__ = [
    "FREE_SUPPORT_MAX_TUPLES",
    "Sampler",
    "certify",
    "empirical_w1",
    "reference_barycenter",
    "sample_measure",
    "t_interval",
]

#: Point-cloud inputs whose multi-marginal LP has at most this many tuples (product of the
#: numbers of atoms of positive mass) are certified over *all* measures (free support).
FREE_SUPPORT_MAX_TUPLES = 20_000

CandidateArg = Union[Measure, ArrayLike, Sampler]


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def empirical_w1(x: ArrayLike, y: ArrayLike, metric: str) -> float:
    r"""Exact ``W1`` between the uniform empirical measures of two samples.

    .. math:: W_1\Big(\tfrac1n \sum_i \delta_{x_i}, \tfrac1m \sum_j \delta_{y_j}\Big)

    On the line with ``n = m``: ``mean_i |x_(i) - y_(i)|`` (sorted samples); otherwise the
    transport LP by network simplex (:func:`ot.emd2`) on the matrix ``d(x_i, y_j)``, repeated
    points merged first (samples of a grid histogram repeat its nodes).
    """
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    ya = np.atleast_2d(np.asarray(y, dtype=float))
    if xa.shape[1] == 1 and xa.shape[0] == ya.shape[0]:
        return float(np.mean(np.abs(np.sort(xa[:, 0]) - np.sort(ya[:, 0]))))
    import ot

    xu, cx = np.unique(xa, axis=0, return_counts=True)
    yu, cy = np.unique(ya, axis=0, return_counts=True)
    M = pairwise_distances(xu, yu, metric)
    return float(ot.emd2(cx / cx.sum(), cy / cy.sum(), M, numItermax=10_000_000))


def _grid_label(grid: Grid) -> str:
    return "grid " + "x".join(str(s) for s in grid.shape)


def _n_tuples(measures: Sequence[Measure]) -> int:
    return int(np.prod([float(np.count_nonzero(m.weights > 0)) for m in measures]))


# --------------------------------------------------------------------------------------
# The reference (exact) barycenter
# --------------------------------------------------------------------------------------


def reference_barycenter(
    measures: Sequence[Measure],
    weights: Optional[ArrayLike] = None,
    metric: str = "euclidean",
    support: SupportArg = None,
) -> tuple[BarycenterResult, str]:
    """The exact barycenter :func:`certify` compares with, and what its optimum is over.

    With ``support=None``: on the line, the closed form (optimal over all measures); point
    clouds whose multi-marginal LP has at most :data:`FREE_SUPPORT_MAX_TUPLES` tuples, the free
    support solver (all measures); histograms on one grid with the cityblock metric, the grid
    (a coordinatewise weighted median of grid nodes is a grid node, so the grid holds an
    optimal measure over all measures, theory fact 8); other histograms on one grid, that grid;
    larger point clouds, the union of their supports. ``support="free"``, a Grid, a Measure or
    points: that support (``"free"``: all measures).

    Returns
    -------
    (BarycenterResult, str)
        The exact result and the description used as :attr:`CertifyResult.support`.
    """
    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    if isinstance(support, str) and support == "free":
        return exact_barycenter(ms, lam, metric, "free"), "all measures (free support)"
    kind, data = resolve_support(ms, support)
    if kind == "grid":
        support = None  # the inputs' own grid, given or not
    if support is None:
        if ms[0].dim == 1:
            from .exact.onedim import barycenter_1d

            return barycenter_1d(ms, lam, metric), "all measures (1D closed form)"
        if kind == "points" and _n_tuples(ms) <= FREE_SUPPORT_MAX_TUPLES:
            return exact_barycenter(ms, lam, metric, "free"), "all measures (free support)"
        if kind == "grid" and metric == "cityblock":
            assert isinstance(data, Grid)
            res = exact_barycenter(ms, lam, metric)
            return res, f"all measures (cityblock: the {_grid_label(data)} holds a barycenter)"
    res = exact_barycenter(ms, lam, metric, support)
    if kind == "grid":
        assert isinstance(data, Grid)
        return res, _grid_label(data)
    if kind == "1d":
        return res, "all measures (1D closed form)"
    label = str(res.info.get("support", "given points"))
    if isinstance(support, Grid):
        label = _grid_label(support)
    return res, f"{label} (n={np.asarray(data).shape[0]})" if kind == "points" else label


def _unique_optimum(
    ms: Sequence[Measure], lam: NDArray[np.float64], ref: BarycenterResult, support_label: str
) -> Optional[Measure]:
    """The optimal measure when it is unique over all measures, else ``None``.

    * some ``lambda_j > 1/2``: ``nu_j`` (``J(mu) >= J(nu_j) + (2 lambda_j - 1) W1(mu, nu_j)``,
      the triangle inequality; theory fact 5 for two measures);
    * on the line, when the weighted median of the CDF values is unique between every two
      consecutive atoms: the closed-form barycenter.
    """
    j = int(np.argmax(lam))
    if lam[j] > 0.5:
        return ms[j]
    if ms[0].dim == 1 and support_label.startswith("all measures"):
        from .exact.onedim import cdf, weighted_lower_median

        x = np.unique(np.concatenate([m.points[m.weights > 0, 0] for m in ms]))
        F = np.stack([cdf(m, x) for m in ms])[:, :-1]
        if F.shape[1] == 0:
            return ref.measure
        lower = weighted_lower_median(F, lam)
        upper = -weighted_lower_median(-F, lam)
        if np.all(upper - lower <= 1e-12):
            return ref.measure
    return None


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _split_inputs(measures: Any) -> tuple[list[Union[Measure, Sampler]], int]:
    if isinstance(measures, Measure) or callable(measures):
        raise TypeError("measures must be a sequence of Measure or samplers, not a single one")
    try:
        items = list(measures)
    except TypeError as exc:
        raise TypeError("measures must be a sequence of Measure or samplers") from exc
    if not items:
        raise ValueError("measures is empty")
    for i, m in enumerate(items):
        if not isinstance(m, Measure) and not callable(m):
            raise TypeError(
                f"measures[{i}] must be an otbary.Measure or a sampler(n, rng); got {type(m).__name__}"
            )
    dims = {m.dim for m in items if isinstance(m, Measure)}
    if len(dims) > 1:
        raise ValueError(f"measures have different dimensions: {sorted(dims)}")
    if dims:
        return items, dims.pop()
    return items, -1


def _candidate_measure(candidate: Any, d: int) -> Measure:
    if not isinstance(candidate, (Measure, np.ndarray, list, tuple)):
        raise TypeError(
            "candidate must be a Measure, an (n, d) array of samples or a sampler(n, rng); "
            f"got {type(candidate).__name__}"
        )
    if not isinstance(candidate, Measure) and np.size(candidate) == 0:
        raise ValueError("candidate is empty: it needs at least one point")
    m = as_measure(candidate, "candidate")
    if d > 0 and m.dim != d:
        raise ValueError(f"candidate has dimension {m.dim}; the inputs have dimension {d}")
    return m


def _probe_dim(sampler: Sampler, what: str) -> int:
    x = np.asarray(sampler(2, np.random.default_rng(0)), dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != 2:
        raise ValueError(f"{what} must return an (n, d) array for sampler(n, rng); got shape {x.shape}")
    return int(x.shape[1])


# --------------------------------------------------------------------------------------
# certify
# --------------------------------------------------------------------------------------


def certify(
    candidate: CandidateArg,
    measures: Sequence[Union[Measure, Sampler]],
    weights: Optional[ArrayLike] = None,
    metric: str = "euclidean",
    support: SupportArg = None,
    *,
    n_samples: Optional[int] = None,
    n_repeats: Optional[int] = None,
    confidence: float = 0.95,
    seed: Union[None, int, np.random.Generator] = None,
    reference: Optional[Union[BarycenterResult, SampledReference]] = None,
    resolution: Optional[int] = None,
    workers: Optional[int] = None,
) -> CertifyResult:
    r"""How far a candidate barycenter is from optimal, with a certificate.

    The objective is ``J(mu) = sum_k lambda_k W1(mu, nu_k)``; the result reports
    ``cost = J(candidate)``, ``optimum = J*``, ``gap = cost - optimum`` and
    ``relative_gap = gap / optimum``.

    **Exact certification** (``candidate`` a :class:`~otbary.Measure` or an ``(n, d)`` array,
    which is read as the *uniform empirical measure of its rows*; all ``measures`` Measures):
    ``cost`` is exact (:func:`otbary.w1` per input) and ``optimum`` is the exact optimum,
    certified by ``lower_bound <= optimum`` (dual potentials, docs/theory.md fact 3). The
    optimum is over **all** probability measures whenever that is computable -- on the line
    (closed form, fact 4), for small point clouds (free support, fact 8: at most
    :data:`FREE_SUPPORT_MAX_TUPLES` tuples), for cityblock histograms on one grid (the grid
    holds a barycenter) -- and otherwise over ``support`` or the inputs' shared grid (or the
    union of their supports); :attr:`CertifyResult.support` says which. A candidate off a
    fixed support can beat that optimum: then ``gap < 0``. ``distance = W1(candidate, mu*)``
    is given only where the optimal ``mu*`` is unique (fact 5): when some
    ``lambda_j > 1/2`` (``mu* = nu_j``, and ``distance <= gap / (2 lambda_j - 1)``), and on
    the line when the weighted median of the inputs' CDFs is unique.

    **Sample-based certification** (``candidate`` a sampler, or some input a sampler:
    ``sampler(n, rng) -> (n, d) array`` of independent draws, ``rng`` a
    :class:`numpy.random.Generator`; Measures are sampled from their atoms). The gap of the
    *continuous* distributions is bracketed (docs/theory.md fact 13, :mod:`otbary.sampled`):

    .. math::

        \text{gap\_lower} = \overline{L_c - U^*} - t\,\frac{s}{\sqrt R} \;\le\;
        J(c) - J^* \;\le\; \overline{U_c - L^*} + t\,\frac{s}{\sqrt R} = \text{gap\_upper}

    with probability at least ``confidence`` (each side at ``1 - (1 - confidence) / 2``), over
    ``R = n_repeats`` repeats of ``n = n_samples`` fresh draws of every distribution:
    ``U_c >= J(c)`` and ``U* >= J(mu~) >= J*`` in expectation (the cost of a bijection between
    fresh draws is that of a coupling of their empirical measures, and empirical ``W1`` is
    biased upward; no draw is moved to a node), ``L_c <= J(c)`` and ``L* <= J*`` unbiasedly
    (1-Lipschitz potentials fitted on *separate* draws, extended to the whole space by McShane,
    evaluated on fresh draws; ``L*`` also bounds the infimum of ``sum_k g_k`` over the
    continuous space). ``mu~``
    is the barycenter of quantised reference draws of the inputs on a grid, spread over its
    cells: ``resolution`` nodes per axis (default :data:`otbary.sampled.DEFAULT_SIDE`: 1024 in
    1D, 48 x 48 in 2D, 10^3 in 3D) over the draws' box, or ``support`` (a Grid). ``interval = (gap_lower,
    gap_upper)``; ``gap`` is the midpoint of the two means, ``cost`` and ``optimum`` the
    midpoints of their bounds (``info["cost_bounds"]``, ``info["optimum_bounds"]``) and
    ``lower_bound`` a lower confidence bound on ``J*``. ``info["width"]`` splits the
    interval's width into sampling, reference resolution and potential fit
    (``info["dominant"]`` names the largest): raise ``n_repeats`` against sampling,
    ``n_samples`` and ``resolution`` against the others. ``info["reference"]`` can be passed
    back as ``reference=`` to certify other candidates of the same problem without solving it
    again.

    Parameters
    ----------
    candidate : Measure, array_like of shape (n, d), or sampler
        The candidate barycenter. In sample-based certification (some input a sampler) a
        Measure or an array candidate is sampled with replacement from its atoms.
    measures : sequence of Measure or samplers
        The inputs ``nu_k``, all of one dimension.
    weights : array_like, optional
        ``lambda``: non-negative, summing to one (POT convention); ``None`` gives ``1/K``.
    metric : {"euclidean", "cityblock", "chebyshev"}
    support : None, "free", Grid, Measure or array_like
        Where the exact optimum is searched when it cannot be over all measures (see above);
        for sample-based certification, None or the Grid the draws are quantised on.
    n_samples : int, optional
        Draws per distribution per repeat (sample-based only; default
        :data:`otbary.sampled.DEFAULT_N_DRAWS`).
    n_repeats : int, optional
        Repeats ``R >= 2`` (sample-based only; default :data:`otbary.sampled.DEFAULT_REPEATS`).
    confidence : float, default 0.95
        Joint level of :attr:`CertifyResult.interval`, in ``(0, 1)``.
    seed : int or numpy.random.Generator, optional
        Seed of every draw.
    reference : BarycenterResult or SampledReference, optional
        Exact certification: a certified exact barycenter of these inputs (from
        :func:`otbary.barycenter` or :func:`reference_barycenter`, same weights and metric).
        Sample-based: ``info["reference"]`` of an earlier call on the same problem. Either
        avoids solving the reference again, e.g. along training.
    resolution : int, optional
        Grid nodes per axis of sample-based certification (ignored when ``support`` is a Grid).
    workers : int, optional
        Sample-based: threads that compute the couplings (default: the cores this process may
        use). The result does not depend on it: every coupling has its own child stream of
        ``seed``.

    Returns
    -------
    CertifyResult

    Raises
    ------
    ValueError, TypeError
        A candidate of another dimension, an empty candidate, a sampler returning the wrong
        shape, bad weights, an unknown metric, ``n_samples < 1``, ``n_repeats < 2``, a
        ``resolution < 2`` or ``workers < 1``.
    NotOptimalError
        The exact solver did not reach a certified optimum.

    Examples
    --------
    >>> import otbary as ob
    >>> nus = [ob.Measure([[0.0], [1.0]]), ob.Measure([[2.0], [3.0]])]
    >>> res = ob.certify(ob.Measure([[1.0], [2.0]]), nus, [0.7, 0.3])
    >>> round(res.optimum, 6), round(res.gap, 6), round(res.distance, 6)
    (0.6, 0.4, 1.0)
    """
    metric = check_metric(metric)
    items, d = _split_inputs(measures)
    lam = check_weights(weights, len(items))
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie in (0, 1); got {confidence!r}")
    sample_based = callable(candidate) and not isinstance(candidate, Measure)
    sample_based = sample_based or any(not isinstance(m, Measure) for m in items)
    if not sample_based:
        ms = check_measures([m for m in items if isinstance(m, Measure)])
        if reference is not None and not isinstance(reference, BarycenterResult):
            raise TypeError(
                f"reference must be a BarycenterResult for Measure inputs; got {type(reference).__name__}"
            )
        ref = None if reference is None else _check_reference(reference, lam, metric, d)
        return _certify_exact(_candidate_measure(candidate, d), ms, lam, metric, support, ref)
    if n_samples is not None and (not isinstance(n_samples, (int, np.integer)) or n_samples < 1):
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}")
    if n_repeats is not None and (not isinstance(n_repeats, (int, np.integer)) or n_repeats < 2):
        raise ValueError(
            f"n_repeats must be an integer >= 2 (the interval needs a spread); got {n_repeats!r}"
        )
    if resolution is not None and (not isinstance(resolution, (int, np.integer)) or resolution < 2):
        raise ValueError(f"resolution must be an integer >= 2 (grid nodes per axis); got {resolution!r}")
    if workers is not None:
        resolve_workers(workers)  # checked before any work
    if d < 0:
        d = _probe_dim(items[0], "measures[0]")  # type: ignore[arg-type]
    n = DEFAULT_N_DRAWS if n_samples is None else int(n_samples)
    repeats = DEFAULT_REPEATS if n_repeats is None else int(n_repeats)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    given = None
    if reference is not None:
        given = _check_sampled_reference(reference, lam, metric, d)
    return _certify_samples(candidate, items, d, lam, metric, support, n, repeats, float(confidence), rng,
                            None if resolution is None else int(resolution), given, workers)


def _check_sampled_reference(
    reference: object, lam: NDArray[np.float64], metric: str, d: int
) -> SampledReference:
    """Validate ``reference=`` of sample-based certification."""
    if not isinstance(reference, SampledReference):
        raise TypeError(
            "reference must be the SampledReference of an earlier sample-based certify "
            "(res.info['reference']) when the candidate or an input is a sampler; "
            f"got {type(reference).__name__}"
        )
    if reference.metric != metric:
        raise ValueError(f"reference was built for metric={reference.metric!r}, not {metric!r}")
    if reference.weights.shape != lam.shape or not np.allclose(reference.weights, lam, rtol=0, atol=1e-12):
        raise ValueError(f"reference weights {reference.weights.tolist()} differ from weights {lam.tolist()}")
    if reference.grid.ndim != d:
        raise ValueError(f"reference has dimension {reference.grid.ndim}; the inputs have dimension {d}")
    return reference


def _check_reference(
    reference: object, lam: NDArray[np.float64], metric: str, d: int
) -> tuple[BarycenterResult, str]:
    """Validate a user-given exact barycenter; return it with its support label."""
    if not isinstance(reference, BarycenterResult):
        raise TypeError(f"reference must be a BarycenterResult; got {type(reference).__name__}")
    if reference.method != "exact":
        raise ValueError(f"reference must be an exact barycenter; got method={reference.method!r}")
    if reference.metric != metric:
        raise ValueError(f"reference was solved for metric={reference.metric!r}, not {metric!r}")
    if reference.weights.shape != lam.shape or not np.allclose(reference.weights, lam, rtol=0, atol=1e-12):
        raise ValueError(f"reference weights {reference.weights.tolist()} differ from weights {lam.tolist()}")
    if d >= 0 and reference.measure.dim != d:
        raise ValueError(f"reference has dimension {reference.measure.dim}; the inputs have dimension {d}")
    return reference, str(reference.info.get("support", "the given reference"))


def _certify_exact(
    cand: Measure,
    ms: list[Measure],
    lam: NDArray[np.float64],
    metric: str,
    support: SupportArg,
    given: Optional[tuple[BarycenterResult, str]] = None,
) -> CertifyResult:
    ref, label = reference_barycenter(ms, lam, metric, support) if given is None else given
    costs = np.array([w1(cand, nu, metric) if lk > 0 else 0.0 for nu, lk in zip(ms, lam, strict=True)])
    cost = float(lam @ costs)
    optimum = float(ref.cost)
    gap = cost - optimum
    unique = _unique_optimum(ms, lam, ref, label)
    distance = None if unique is None else float(w1(cand, unique, metric))
    return CertifyResult(
        cost=cost,
        optimum=optimum,
        lower_bound=float(ref.lower_bound),
        gap=gap,
        relative_gap=gap / optimum if optimum > 0 else gap,
        support=label,
        costs=costs,
        weights=lam,
        metric=metric,
        distance=distance,
        estimator="exact",
        info={"barycenter": ref.measure, "certified_gap": cost - float(ref.lower_bound),
              "reference": ref.info, "unique": unique is not None},
    )


def _sample_grid(support: SupportArg, d: int) -> Optional[Grid]:
    """The quantisation grid of sample-based certification: ``support`` as a Grid, or None."""
    if support is None:
        return None
    if isinstance(support, Grid):
        grid = support
    elif isinstance(support, Measure) and support.grid is not None:
        grid = support.grid
    else:
        raise ValueError(
            "support must be None or a Grid when the candidate or an input is a sampler: draws are "
            f"quantised on a grid; got {type(support).__name__}"
        )
    if grid.ndim != d:
        raise ValueError(f"support grid has dimension {grid.ndim}; the inputs have dimension {d}")
    return grid


def _certify_samples(
    candidate: Any,
    items: list[Union[Measure, Sampler]],
    d: int,
    lam: NDArray[np.float64],
    metric: str,
    support: SupportArg,
    n: int,
    repeats: int,
    confidence: float,
    rng: np.random.Generator,
    resolution: Optional[int],
    given: Optional[SampledReference] = None,
    workers: Optional[int] = None,
) -> CertifyResult:
    source: Any = candidate
    if not (callable(candidate) and not isinstance(candidate, Measure)):
        source = _candidate_measure(candidate, d)
    bounds, ref = gap_bounds(source, items, lam, metric, d, reference=given, grid=_sample_grid(support, d),
                             side=resolution, n_draws=n, n_repeats=repeats, confidence=confidence, seed=rng,
                             workers=workers)
    lo, hi = bounds.gap_interval
    scale = bounds.optimum if bounds.optimum > 0 else 1.0
    label = f"all measures (continuous inputs; draws quantised on grid {ref.info['grid']})"
    estimator = (
        f"two-sided bounds from {repeats} repeats of n={n} fresh draws per distribution: upper bounds by "
        "the costs of bijections between draws (couplings), lower bounds by Lipschitz potentials "
        f"(McShane extensions) fitted on separate draws; gap_upper = mean(U_c - L*) + t s/sqrt(R), "
        f"gap_lower = mean(L_c - U*) - t s/sqrt(R), each one-sided at {1 - (1 - confidence) / 2:.2%} "
        f"(jointly {confidence:.0%}); docs/theory.md fact 13"
    )
    return CertifyResult(
        cost=bounds.cost,
        optimum=bounds.optimum,
        lower_bound=bounds.optimum_lower,
        gap=bounds.gap,
        relative_gap=bounds.gap / scale,
        support=label,
        costs=bounds.costs,
        weights=lam,
        metric=metric,
        distance=None,
        interval=(lo, hi),
        relative_interval=(lo / scale, hi / scale),
        estimator=estimator,
        info={
            "barycenter": ref.barycenter,
            "reference": ref,
            "cost_bounds": bounds.cost_bounds,
            "optimum_bounds": bounds.optimum_bounds,
            "width": bounds.width,
            "dominant": bounds.width["dominant"],
            "values": bounds.values,
            "n_samples": n,
            "n_repeats": repeats,
            "confidence": confidence,
            "grid": ref.grid,
            **bounds.info,
        },
    )
