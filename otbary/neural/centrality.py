r"""Model centrality: the medoid of a set of generative models under exact W1.

Given ``K`` models (generators, samplers or arrays of samples), draw ``n`` samples from each
and compute the matrix of exact Wasserstein-1 distances between the empirical measures,

.. math::

    D_{ij} = W_1(\hat\nu_i^{(n)}, \hat\nu_j^{(n)}), \qquad
    s_i = \frac{1}{K - 1} \sum_{j \ne i} D_{ij},

(each ``W_1`` solved exactly by :func:`otbary.w1`: closed form in 1D, network simplex on
point clouds). The **medoid** is ``argmin_i s_i``, the model with the smallest mean distance to the others
("highest mean similarity"). A similarity matrix ``exp(-D_ij / tau)``, ``tau`` the median
off-diagonal distance, is reported for reading; the medoid is defined by ``s``.

Every model is sampled with the same ``n``, so the finite-sample bias of each ``D_ij`` is of
the same order for all pairs ("like with like"). With ``n_repeats > 1`` fresh samples are
drawn for every repeat; the result then carries standard errors, normal-approximation
intervals for the ``s_i``, and how often each model was the medoid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch
from numpy.typing import NDArray

from ..exact import w1
from ..geometry import check_metric
from ..measures import Measure, as_points
from .samplers import Sampler, as_sampler

__all__ = ["CentralityResult", "model_centrality", "pairwise_w1"]

#: ``z`` of the two-sided 95% normal interval reported with repeats.
Z95 = 1.959963984540054

@dataclass(frozen=True)
class CentralityResult:
    """The medoid of a set of models under exact W1 between their samples.

    Attributes
    ----------
    index : int
        The medoid: ``argmin_i mean_j D_ij`` (smallest mean exact W1 to the other models).
    distances : ndarray, shape (K, K)
        ``D``, the exact W1 between the models' samples, averaged over repeats (zero diagonal).
    mean_distance : ndarray, shape (K,)
        ``s_i = sum_{j != i} D_ij / (K - 1)``.
    similarity : ndarray, shape (K, K)
        ``exp(-D / tau)`` with ``tau`` the median off-diagonal distance (ones on the diagonal).
    mean_similarity : ndarray, shape (K,)
        Row means of :attr:`similarity` over ``j != i``.
    distances_se : ndarray or None
        Standard error of each ``D_ij`` over repeats (``None`` with one repeat).
    mean_distance_interval : ndarray or None, shape (K, 2)
        ``s_i -+ 1.96 * se(s_i)`` over repeats (``None`` with one repeat).
    selection_frequency : ndarray, shape (K,)
        Fraction of repeats in which each model was the medoid.
    all_distances : ndarray, shape (n_repeats, K, K)
        The matrix of every repeat.
    n_samples : int
        Samples drawn per model and repeat.
    n_repeats : int
    metric : str
    info : dict
    """

    index: int
    distances: NDArray[np.float64]
    mean_distance: NDArray[np.float64]
    similarity: NDArray[np.float64]
    mean_similarity: NDArray[np.float64]
    selection_frequency: NDArray[np.float64]
    all_distances: NDArray[np.float64]
    n_samples: int
    n_repeats: int
    metric: str
    distances_se: Optional[NDArray[np.float64]] = None
    mean_distance_interval: Optional[NDArray[np.float64]] = None
    info: dict[str, Any] = field(default_factory=dict)


def _check_samples(x: Any, name: str, dim: Optional[int] = None) -> NDArray[np.float64]:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        x = x.detach().cpu().numpy()
    arr = as_points(x, name, "samples")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} gives samples of dimension {arr.shape[1]}; expected {dim}")
    return arr


def _prepare(model: Any, name: str, seed: Optional[int]) -> Union[NDArray[np.float64], Sampler]:
    """A fixed sample (arrays, tensors) or a checked :class:`~otbary.neural.samplers.Sampler`."""
    if isinstance(model, (np.ndarray, torch.Tensor)):
        return _check_samples(model, name)
    if isinstance(model, (str, bytes)) or not (callable(model) or isinstance(model, Measure)):
        raise TypeError(f"{name} must be a sampler callable, a generator, a Measure or an (n, d) array; "
                        f"got {type(model).__name__}")
    return as_sampler(model, name, seed=seed)


def _draw(source: Union[NDArray[np.float64], Sampler], n: int, rng: np.random.Generator,
          gen: torch.Generator, name: str) -> NDArray[np.float64]:
    """``n`` samples flattened to ``(n, d)``; a fixed sample is subsampled without replacement to ``n``."""
    if isinstance(source, np.ndarray):
        if source.shape[0] > n:
            return source[rng.choice(source.shape[0], size=n, replace=False)]
        return source
    x = source(n, gen)
    return _check_samples(x.reshape(n, -1), name)


def pairwise_w1(samples: Sequence[NDArray[np.float64]], metric: str = "euclidean") -> NDArray[np.float64]:
    r"""Matrix of exact ``W1`` between empirical measures, ``D_ij = W_1(\hat\nu_i, \hat\nu_j)``.

    Parameters
    ----------
    samples : sequence of ndarray, each (n_i, d)
        Point clouds (uniform weights) of one common dimension.
    metric : {"euclidean", "cityblock", "chebyshev"}

    Returns
    -------
    ndarray, shape (K, K)
        Symmetric, zero diagonal; each entry from :func:`otbary.w1`.
    """
    metric = check_metric(metric)
    if len(samples) < 2:
        raise ValueError(f"samples must hold at least two point clouds; got {len(samples)}")
    clouds = [_check_samples(s, f"samples[{i}]") for i, s in enumerate(samples)]
    dim = clouds[0].shape[1]
    for i, c in enumerate(clouds):
        if c.shape[1] != dim:
            raise ValueError(f"samples[{i}] has dimension {c.shape[1]}; samples[0] has {dim}")
    measures = [Measure(c) for c in clouds]
    k = len(measures)
    d = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            d[i, j] = d[j, i] = w1(measures[i], measures[j], metric=metric)
    return d


def model_centrality(
    models: Sequence[Any],
    n_samples: int = 500,
    *,
    n_repeats: int = 1,
    metric: str = "euclidean",
    seed: Optional[int] = None,
) -> CentralityResult:
    r"""The medoid of ``K`` generative models under exact W1 between their samples.

    .. math::

        i^\star = \arg\min_i \frac{1}{K-1} \sum_{j \ne i} W_1(\hat\nu_i^{(n)}, \hat\nu_j^{(n)}),

    with ``\hat\nu_i^{(n)}`` ``n`` fresh samples of model ``i`` (per repeat) and each ``W_1`` exact
    (:func:`otbary.w1`). Averaged over ``n_repeats`` independent draws.

    Parameters
    ----------
    models : sequence of sampler, generator, Measure, ndarray or Tensor
        At least two models. Generators (``nn.Module`` with ``sample(n)``), callables ``f(n)`` /
        ``f(n, rng)`` and measures are read by :func:`otbary.neural.samplers.as_sampler` (every
        draw checked for shape and finiteness; samples of shape ``(n, *s)`` are flattened to
        ``(n, prod(s))``). An ``(m, d)`` array or tensor is a fixed sample: its rows are
        subsampled without replacement to ``n_samples`` when ``m > n_samples`` (afresh for each
        repeat) and used whole otherwise.
    n_samples : int, default 500
        Samples per model and repeat.
    n_repeats : int, default 1
        Independent repeats; with two or more, standard errors and intervals are reported.
    metric : {"euclidean", "cityblock", "chebyshev"}
    seed : int, optional
        Makes the draws reproducible (the torch generator of the samplers, the numpy generator
        of two-argument callables -- ``seed + 1 + i`` for model ``i`` -- and the subsampling).

    Returns
    -------
    CentralityResult
        ``.index`` (the medoid), ``.distances``, ``.mean_distance``, uncertainty over repeats.

    Raises
    ------
    ValueError
        Fewer than two models, ``n_samples`` or ``n_repeats`` below 1, samples of the wrong shape,
        of different dimensions, or non-finite.
    TypeError
        A model that is neither callable nor an array.
    """
    if isinstance(models, (np.ndarray, str)) or not isinstance(models, Sequence):
        raise TypeError("models must be a sequence (list or tuple) of samplers, generators or arrays")
    k = len(models)
    if k < 2:
        raise ValueError(f"models must hold at least two models; got {k}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, (int, np.integer)) or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive integer; got {n_repeats!r}")
    metric = check_metric(metric)
    rng = np.random.default_rng(seed)
    gen = torch.Generator()
    gen.manual_seed(int(rng.integers(2**62)))
    sources = [_prepare(m, f"models[{i}]", None if seed is None else int(seed) + 1 + i)
               for i, m in enumerate(models)]
    mats = np.zeros((n_repeats, k, k))
    winners = np.zeros(n_repeats, dtype=int)
    for r in range(n_repeats):
        clouds = [_draw(src, int(n_samples), rng, gen, f"models[{i}]") for i, src in enumerate(sources)]
        dims = {c.shape[1] for c in clouds}
        if len(dims) != 1:
            raise ValueError(f"models give samples of different dimensions: {[c.shape[1] for c in clouds]}")
        mats[r] = pairwise_w1(clouds, metric=metric)
        winners[r] = int(np.argmin(mats[r].sum(axis=1)))
    dist = mats.mean(axis=0)
    mean_dist = dist.sum(axis=1) / (k - 1)
    off = dist[~np.eye(k, dtype=bool)]
    tau = float(np.median(off))
    sim = np.exp(-dist / tau) if tau > 0 else np.ones_like(dist)
    mean_sim = (sim.sum(axis=1) - 1.0) / (k - 1)
    freq = np.bincount(winners, minlength=k) / n_repeats
    se: Optional[NDArray[np.float64]] = None
    interval: Optional[NDArray[np.float64]] = None
    if n_repeats > 1:
        se = mats.std(axis=0, ddof=1) / np.sqrt(n_repeats)
        per_rep = mats.sum(axis=2) / (k - 1)  # (R, K)
        s_se = per_rep.std(axis=0, ddof=1) / np.sqrt(n_repeats)
        interval = np.stack([mean_dist - Z95 * s_se, mean_dist + Z95 * s_se], axis=1)
    return CentralityResult(
        index=int(np.argmin(mean_dist)),
        distances=dist,
        mean_distance=mean_dist,
        similarity=sim,
        mean_similarity=mean_sim,
        selection_frequency=freq,
        all_distances=mats,
        n_samples=int(n_samples),
        n_repeats=int(n_repeats),
        metric=metric,
        distances_se=se,
        mean_distance_interval=interval,
        info={"tau": tau, "winners": winners.tolist()},
    )
