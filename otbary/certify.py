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
  ``J`` is estimated from empirical measures of ``n`` samples, and the exact barycenter is
  sampled and scored *in the same way with the same input draws*, so that the gap is a mean of
  paired differences with a Student-t confidence interval; a generator that samples the exact
  barycenter gets an interval containing 0.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exact.barycenter import barycenter, resolve_support
from .exact.w1 import w1
from .geometry import Grid, check_metric, norm, pairwise_distances
from .measures import Measure, check_measures, check_weights
from .results import BarycenterResult, CertifyResult

__all__ = [
    "DEFAULT_GRID_SIDE",
    "DEFAULT_N_SAMPLES",
    "FREE_SUPPORT_MAX_TUPLES",
    "N_REFERENCE_SAMPLES",
    "Sampler",
    "certify",
    "empirical_w1",
    "reference_barycenter",
    "sample_measure",
    "t_interval",
]

#: A sampler: ``sampler(n, rng)`` returns an ``(n, d)`` array of ``n`` independent draws.
Sampler = Callable[[int, np.random.Generator], ArrayLike]

#: Point-cloud inputs whose multi-marginal LP has at most this many tuples (product of the
#: numbers of atoms of positive mass) are certified over *all* measures (free support).
FREE_SUPPORT_MAX_TUPLES = 20_000

#: Default sample size per repeat of the sample-based estimator.
DEFAULT_N_SAMPLES = 500

#: Samples drawn from each sampler input to build its histogram on the support.
N_REFERENCE_SAMPLES = 20_000

#: Nodes per axis of the default grid for sampler inputs, by dimension (1D, 2D, 3D).
DEFAULT_GRID_SIDE = {1: 128, 2: 12, 3: 5}

CandidateArg = Union[Measure, ArrayLike, Sampler]
SupportArg = Union[None, str, Grid, Measure, ArrayLike]


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _check_samples(x: Any, n: int, d: int, what: str) -> NDArray[np.float64]:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must return an array of numbers; got {type(x).__name__}") from exc
    if a.ndim == 1 and d == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{what} must return a non-empty (n, {d}) array; got shape {a.shape}")
    if a.shape[1] != d:
        raise ValueError(f"{what} returned points of dimension {a.shape[1]}; the inputs have dimension {d}")
    if a.shape[0] != n:
        raise ValueError(f"{what} was asked for {n} samples and returned {a.shape[0]}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} returned NaN or infinite coordinates")
    return a


def sample_measure(measure: Measure, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` independent draws from a discrete measure: atom ``x_i`` with probability ``w_i``.

    Returns an ``(n, d)`` array.
    """
    idx = rng.choice(measure.size, size=int(n), p=measure.weights)
    return np.asarray(measure.points[idx], dtype=float)


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
    optimal measure over all measures, DESIGN fact 8); other histograms on one grid, that grid;
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
        return barycenter(ms, lam, metric, support="free"), "all measures (free support)"
    kind, data = resolve_support(ms, support)
    if kind == "grid":
        support = None  # the inputs' own grid, given or not
    if support is None:
        if ms[0].dim == 1:
            from .exact.onedim import barycenter_1d

            return barycenter_1d(ms, lam, metric), "all measures (1D closed form)"
        if kind == "points" and _n_tuples(ms) <= FREE_SUPPORT_MAX_TUPLES:
            return barycenter(ms, lam, metric, support="free"), "all measures (free support)"
        if kind == "grid" and metric == "cityblock":
            assert isinstance(data, Grid)
            res = barycenter(ms, lam, metric)
            return res, f"all measures (cityblock: the {_grid_label(data)} holds a barycenter)"
    res = barycenter(ms, lam, metric, support=support)
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
      the triangle inequality; DESIGN fact 5 for two measures);
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
    if isinstance(candidate, Measure):
        if d > 0 and candidate.dim != d:
            raise ValueError(f"candidate has dimension {candidate.dim}; the inputs have dimension {d}")
        return candidate
    try:
        pts = np.asarray(candidate, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "candidate must be a Measure, an (n, d) array of samples or a sampler(n, rng); "
            f"got {type(candidate).__name__}"
        ) from exc
    if pts.size == 0:
        raise ValueError("candidate is empty: it needs at least one point")
    if pts.ndim == 1 and d == 1:
        pts = pts[:, None]
    if pts.ndim != 2:
        raise ValueError(f"candidate samples must have shape (n, d); got {pts.shape}")
    if d > 0 and pts.shape[1] != d:
        raise ValueError(f"candidate has dimension {pts.shape[1]}; the inputs have dimension {d}")
    if not np.all(np.isfinite(pts)):
        raise ValueError("candidate contains NaN or infinite coordinates")
    return Measure(pts)


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
    n_repeats: int = 10,
    confidence: float = 0.95,
    seed: Union[None, int, np.random.Generator] = None,
    reference: Optional[BarycenterResult] = None,
) -> CertifyResult:
    r"""How far a candidate barycenter is from optimal, with a certificate.

    The objective is ``J(mu) = sum_k lambda_k W1(mu, nu_k)``; the result reports
    ``cost = J(candidate)``, ``optimum = J*``, ``gap = cost - optimum`` and
    ``relative_gap = gap / optimum``.

    **Exact certification** (``candidate`` a :class:`~otbary.Measure` or an ``(n, d)`` array,
    which is read as the *uniform empirical measure of its rows*; all ``measures`` Measures):
    ``cost`` is exact (:func:`otbary.w1` per input) and ``optimum`` is the exact optimum,
    certified by ``lower_bound <= optimum`` (dual potentials, DESIGN fact 3). The optimum is
    over **all** probability measures whenever that is computable -- on the line (closed
    form, DESIGN fact 4), for small point clouds (free support, DESIGN fact 8: at most
    :data:`FREE_SUPPORT_MAX_TUPLES` tuples), for cityblock histograms on one grid (the grid
    holds a barycenter) -- and otherwise over ``support`` or the inputs' shared grid (or the
    union of their supports); :attr:`CertifyResult.support` says which. A candidate off a
    fixed support can beat that optimum: then ``gap < 0``. ``distance = W1(candidate, mu*)``
    is given only where the optimal ``mu*`` is unique (DESIGN fact 5): when some
    ``lambda_j > 1/2`` (``mu* = nu_j``, and ``distance <= gap / (2 lambda_j - 1)``), and on
    the line when the weighted median of the inputs' CDFs is unique.

    **Sample-based certification** (``candidate`` a sampler, or some input a sampler:
    ``sampler(n, rng) -> (n, d) array`` of independent draws, ``rng`` a
    :class:`numpy.random.Generator`). The estimator, for ``r = 1..R`` (``R = n_repeats``)
    independent repeats, draws ``X_n`` from the candidate, ``Y_{k,n}`` from each input and
    ``Z_n`` from the exact barycenter ``mu*`` (all of size ``n = n_samples``) and computes

    .. math::

        \hat J_r(X) = \sum_k \lambda_k W_1(\hat X_n, \hat Y_{k,n}), \qquad
        \hat J_r(Z) = \sum_k \lambda_k W_1(\hat Z_n, \hat Y_{k,n}), \qquad
        D_r = \hat J_r(X) - \hat J_r(Z),

    ``W1`` being exact between the uniform empirical measures (:func:`empirical_w1`:
    :func:`ot.emd2`, sorted samples on the line). ``cost = mean_r J_r(X)``,
    ``optimum = mean_r J_r(Z)``, ``gap = mean_r D_r``, and ``interval`` is the Student-t
    interval ``gap +- t_{R-1} s_D / sqrt(R)`` at level ``confidence``. Both sides carry the
    same small-sample bias and the same input draws, so a candidate that samples ``mu*``
    gets ``E[D_r] = 0``: its interval contains 0 with probability about ``confidence``. For a
    candidate away from ``mu*`` the estimated gap tends to the exact gap as ``n`` grows but is
    at finite ``n`` usually *smaller*, and for a small gap it can be negative: the empirical
    ``W1`` is biased upward most between equal distributions, so ``E[J_n(Z)]`` exceeds ``J*``
    by ``info["optimum_bias"] = optimum - J*`` (Measure inputs) while the candidate's own bias
    is smaller the farther it is from the inputs. Read an interval containing 0 as "not
    distinguishable from the exact barycenter at this ``n``", and raise ``n`` to resolve
    small gaps.
    ``mu*`` is found from Measure inputs as in the exact case; sampler inputs are first
    quantised: :data:`N_REFERENCE_SAMPLES` draws of each go to their nearest node of
    ``support`` (a Grid, a Measure or points), by default a regular grid over the bounding
    box of those draws with :data:`DEFAULT_GRID_SIDE` nodes per axis (12 x 12 in 2D: the exact
    cityblock grid barycenter then takes well under a second, the euclidean one a few seconds
    today -- it grows fast with the grid -- so pass a coarser Grid when speed matters more than
    resolution, or points). The exact value over the
    quantised inputs is ``info["exact_optimum"]`` (and ``lower_bound`` its certified lower
    bound); ``info["quantisation_error"] = sum_k lambda_k mean distance of a draw to its
    node`` bounds how far the quantised inputs are from the true ones.

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
        for sampler inputs, where they are quantised.
    n_samples : int, optional
        Sample size ``n`` per repeat (sample-based only; default :data:`DEFAULT_N_SAMPLES`).
    n_repeats : int, default 10
        Repeats ``R >= 2`` (sample-based only).
    confidence : float, default 0.95
        Level of :attr:`CertifyResult.interval`, in ``(0, 1)``.
    seed : int or numpy.random.Generator, optional
        Seed of every draw (candidate, inputs, barycenter).
    reference : BarycenterResult, optional
        A certified exact barycenter of these inputs (from :func:`otbary.barycenter` or
        :func:`reference_barycenter`, same weights and metric) to use instead of solving for
        it again -- for repeated calls on one problem, e.g. along training. Its
        ``info["support"]`` becomes :attr:`CertifyResult.support`; sampler inputs are then not
        quantised. It must be exact (``method="exact"``) and certified.

    Returns
    -------
    CertifyResult

    Raises
    ------
    ValueError, TypeError
        A candidate of another dimension, an empty candidate, a sampler returning the wrong
        shape, bad weights, an unknown metric, ``n_samples < 1`` or ``n_repeats < 2``.
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
        ref = None if reference is None else _check_reference(reference, lam, metric, d)
        return _certify_exact(_candidate_measure(candidate, d), ms, lam, metric, support, ref)
    if n_samples is not None and (not isinstance(n_samples, (int, np.integer)) or n_samples < 1):
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}")
    if not isinstance(n_repeats, (int, np.integer)) or n_repeats < 2:
        raise ValueError(
            f"n_repeats must be an integer >= 2 (the interval needs a spread); got {n_repeats!r}"
        )
    if d < 0:
        d = _probe_dim(items[0], "measures[0]")  # type: ignore[arg-type]
    n = DEFAULT_N_SAMPLES if n_samples is None else int(n_samples)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ref = None if reference is None else _check_reference(reference, lam, metric, d)
    return _certify_samples(
        candidate, items, d, lam, metric, support, n, int(n_repeats), float(confidence), rng, ref
    )


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


def _default_grid(samples: Sequence[NDArray[np.float64]], d: int) -> Grid:
    pts = np.vstack(samples)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    side = DEFAULT_GRID_SIDE.get(d, 6)
    span = np.where(hi > lo, hi - lo, 1.0)
    return Grid((side,) * d, spacing=(span / (side - 1)).tolist(), origin=lo.tolist())


def t_interval(values: NDArray[np.float64], confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean of independent ``values`` and its Student-t interval ``mean -+ t_q s / sqrt(n)``.

    ``t_q`` is the ``(1 + confidence) / 2`` quantile with ``n - 1`` degrees of freedom and ``s``
    the sample standard deviation; with one value the interval is the point itself.
    """
    v = np.asarray(values, dtype=float)
    m = float(v.mean())
    if v.size < 2:
        return m, (m, m)
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.5 + confidence / 2.0, v.size - 1)) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, (m - half, m + half)


def _quantise(x: NDArray[np.float64], support: Union[Grid, NDArray[np.float64]], metric: str,
              ) -> tuple[Measure, float]:
    """Histogram of the samples on their nearest support node, and the mean distance moved."""
    if isinstance(support, Grid):
        g = support
        flat = g.nearest(x)
        moved = float(np.mean(norm(x - g.points[flat], metric)))
        return Measure.on_grid(g, np.bincount(flat, minlength=g.size).astype(float), normalize=True), moved
    from scipy.spatial import cKDTree

    p = {"cityblock": 1, "euclidean": 2, "chebyshev": np.inf}[metric]
    dist, nearest = cKDTree(support).query(x, p=p)
    counts = np.bincount(nearest, minlength=support.shape[0]).astype(float)
    return Measure(support, counts, normalize=True), float(np.mean(dist))


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
    given: Optional[tuple[BarycenterResult, str]] = None,
) -> CertifyResult:
    # The exact reference barycenter.
    quant_err = 0.0
    if given is not None:
        ref_inputs: list[Measure] = []
        ref_support: SupportArg = None
    elif all(isinstance(m, Measure) for m in items):
        ref_inputs = [m for m in items if isinstance(m, Measure)]
        ref_support = support
    else:
        draws = {i: _check_samples(m(N_REFERENCE_SAMPLES, rng), N_REFERENCE_SAMPLES, d, f"measures[{i}]")
                 for i, m in enumerate(items) if not isinstance(m, Measure)}
        if support is None:
            target: Union[Grid, NDArray[np.float64]] = _default_grid(list(draws.values()), d)
        elif isinstance(support, Grid):
            target = support
        elif isinstance(support, Measure):
            target = support.grid if support.grid is not None else np.asarray(support.points)
        elif isinstance(support, str):
            raise ValueError("support='free' needs Measure inputs; give a Grid or points for sampler inputs")
        else:
            target = np.asarray(support, dtype=float).reshape(-1, d)
        ref_inputs = []
        for i, m in enumerate(items):
            if isinstance(m, Measure):
                ref_inputs.append(m)
            else:
                q, moved = _quantise(draws[i], target, metric)
                ref_inputs.append(q)
                quant_err += float(lam[i]) * moved
        if isinstance(target, Grid) and target.ndim != d:
            raise ValueError(f"support grid has dimension {target.ndim}; the inputs have dimension {d}")
        on_target = isinstance(target, Grid) and all(m.grid == target for m in ref_inputs)
        ref_support = None if on_target else target
    ref, label = reference_barycenter(ref_inputs, lam, metric, ref_support) if given is None else given
    mu_star = ref.measure

    cand_measure: Optional[Measure] = None
    if not (callable(candidate) and not isinstance(candidate, Measure)):
        cand_measure = _candidate_measure(candidate, d)

    def draw_candidate() -> NDArray[np.float64]:
        if cand_measure is not None:
            return sample_measure(cand_measure, n, rng)
        return _check_samples(candidate(n, rng), n, d, "candidate")

    active = [k for k in range(len(items)) if lam[k] > 0]
    jx = np.zeros(repeats)
    jz = np.zeros(repeats)
    per_input = np.zeros((repeats, len(items)))
    for r in range(repeats):
        X = draw_candidate()
        Z = sample_measure(mu_star, n, rng)
        for k in active:
            m = items[k]
            Y = sample_measure(m, n, rng) if isinstance(m, Measure) else _check_samples(
                m(n, rng), n, d, f"measures[{k}]")
            cx = empirical_w1(X, Y, metric)
            jx[r] += lam[k] * cx
            jz[r] += lam[k] * empirical_w1(Z, Y, metric)
            per_input[r, k] = cx
    diff = jx - jz
    gap, interval = t_interval(diff, confidence)
    optimum = float(np.mean(jz))
    scale = optimum if optimum > 0 else 1.0
    estimator = (
        f"mean over {repeats} repeats of sum_k lambda_k W1(X_n, Y_k,n) between uniform empirical measures "
        f"of n={n} samples (exact: ot.emd2, sorted samples in 1D); optimum: the same with samples of the "
        f"exact barycenter over {label} and the same input draws; gap: mean of the paired differences, "
        f"Student-t {confidence:.0%} interval"
    )
    return CertifyResult(
        cost=float(np.mean(jx)),
        optimum=optimum,
        lower_bound=float(ref.lower_bound),
        gap=gap,
        relative_gap=gap / scale,
        support=label,
        costs=per_input.mean(axis=0),
        weights=lam,
        metric=metric,
        distance=None,
        interval=interval,
        relative_interval=(interval[0] / scale, interval[1] / scale),
        estimator=estimator,
        info={
            "barycenter": mu_star,
            "exact_optimum": float(ref.cost),
            "quantisation_error": quant_err,
            "optimum_bias": optimum - float(ref.cost) if quant_err == 0.0 else None,
            "n_samples": n,
            "n_repeats": repeats,
            "confidence": confidence,
            "differences": diff,
            "candidate_estimates": jx,
            "optimum_estimates": jz,
        },
    )
