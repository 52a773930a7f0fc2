r"""Fast adaptation of a barycenter generator to a few local samples, and how to score it.

**Where it comes from** (DESIGN, "Where the problem comes from"). A node holding a few samples
of a local distribution :math:`\nu_0` wants a generative model; pre-trained models
:math:`\nu_1..\nu_K` exist elsewhere. The Wasserstein-ball problem
:math:`\min_\mu W_1(\mu, \hat\nu_0)` s.t. :math:`W_1(\mu, \nu_k) \le \eta_k` has the Lagrangian
:math:`W_1(\mu, \hat\nu_0) + \sum_k \lambda_k W_1(\mu, \nu_k)`; the published method replaces the
K balls by one around their barycenter :math:`\bar\nu` (computed offline,
:mod:`otbary.neural.barycenter`) and solves

.. math::

    \min_G \; \lambda_0\, W_1(G_\# N(0, I), \hat\nu_0) + \lambda_b\, W_1(G_\# N(0, I), \bar\nu),
    \qquad \lambda_0 + \lambda_b = 1,

by WGAN-GP with two critics (one on the local samples, one on samples of :math:`\bar\nu`),
**starting from the barycenter generator** and for few steps (:func:`fast_adapt`). Note that
for W1 this two-marginal problem is degenerate (DESIGN fact 5): for :math:`\lambda_0 > 1/2`
its unique minimiser is the empirical measure :math:`\hat\nu_0` itself, for
:math:`\lambda_0 < 1/2` it is :math:`\bar\nu`. What makes adaptation work is the initialisation
and the few steps (a smooth generator moved part of the way along the geodesic), not the
optimum; the barycenter critic keeps the model from collapsing onto the few samples.

**Baseline**: a generator trained on the local samples alone (:func:`train_local`).

**Score**: the exact W1 between ``n`` fresh samples of the model and ``n`` fresh samples of the
true local distribution (available on toys), averaged over repeats, next to the same estimator
applied to two independent samples of the true distribution (the floor a perfect model gets):
:func:`sample_w1_score`. Both sides use the same ``n``, so the finite-sample bias cancels in the
comparison ("like with like").
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from ..exact import w1
from ..geometry import check_metric
from ..measures import Measure, check_weights
from .barycenter import NeuralBarycenterResult, neural_barycenter, train_generator
from .nets import Generator, MLPGenerator, build_pair
from .samplers import Sampler, as_sampler
from .wgan import WGANConfig, critic_step, make_optimizer

__all__ = [
    "ADAPT_CONFIG", "LOCAL_CONFIG", "AdaptationResult", "SampleScore", "fast_adapt",
    "generator_sampler",
    "train_local", "sample_w1_score",
]

#: ``z`` of the two-sided 95% normal interval.
Z95 = 1.959963984540054

#: Training settings of :func:`fast_adapt` by default: generator 1e-4, critics 1e-3 (two time scales).
ADAPT_CONFIG = WGANConfig(lambda_gp=10.0, n_critic=5, lr=1e-4, critic_lr=1e-3, betas=(0.0, 0.9),
                          batch_size=128)
#: Training settings of :func:`train_local` by default (the anchor: one learning rate, 1e-3).
LOCAL_CONFIG = WGANConfig(lambda_gp=10.0, n_critic=5, lr=1e-3, betas=(0.5, 0.9), batch_size=128)


@dataclass
class AdaptationResult:
    """A generator adapted from a barycenter generator to local samples.

    Attributes
    ----------
    generator : Generator
        The adapted generator (a new module; the input generator is not modified).
    critics : list of nn.Module
        ``[local critic, barycenter critic]``.
    weights : ndarray
        ``(lambda_local, lambda_barycenter)``.
    history : dict
        As :attr:`otbary.neural.barycenter.NeuralBarycenterResult.history`; ``"w1"`` holds the two
        critics' estimates ``[W1(local, mu), W1(barycenter, mu)]``.
    steps : int
        Generator steps.
    warmup : int
        Critic-only steps taken before the generator moved.
    elapsed : float
        Seconds (warm-up included).
    n_local : int or None
        Number of local samples when they were given as an array.
    """

    generator: Generator
    critics: list[nn.Module]
    weights: NDArray[np.float64]
    history: dict[str, list[Any]]
    steps: int
    warmup: int
    elapsed: float
    n_local: Optional[int] = None

    def sample(self, n: int, seed: Optional[int] = None) -> NDArray[np.float64]:
        """``n`` samples of the adapted model, float64 ``(n, *sample_shape)``."""
        return _sample(self.generator, n, seed)

    def sampler(self) -> Callable[[int, Any], NDArray[np.float64]]:
        """``f(n, rng) -> samples`` (the candidate form of :func:`otbary.certify`)."""
        return generator_sampler(self.generator)


def _sample(gen: Generator, n: int, seed: Optional[int]) -> NDArray[np.float64]:
    g = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    was = gen.training
    gen.eval()
    with torch.no_grad():
        x = gen.sample(int(n), g).cpu().numpy().astype(np.float64)
    gen.train(was)
    return x


def generator_sampler(gen: Generator) -> Callable[[int, Any], NDArray[np.float64]]:
    """``f(n, rng)``: ``n`` samples of ``gen`` as float64, seeded from the numpy ``rng``."""

    def f(n: int, rng: Any = None) -> NDArray[np.float64]:
        seed = int(rng.integers(2**62)) if isinstance(rng, np.random.Generator) else rng
        return _sample(gen, n, seed)

    return f


def _as_generator(generator: Any, name: str = "generator") -> Generator:
    if isinstance(generator, NeuralBarycenterResult):
        return generator.generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{name} must be an otbary.neural Generator or a NeuralBarycenterResult; "
                        f"got {type(generator).__name__}")
    return generator


def _critic_for(gen: Generator, hidden: Sequence[int]) -> nn.Module:
    """A fresh critic matching ``gen`` (standardised like an MLP generator's output)."""
    if isinstance(gen, MLPGenerator):
        loc = gen.loc.detach().cpu().tolist()
        scale = float(gen.scale.detach().mean())
        return build_pair(gen.sample_shape, hidden=hidden, loc=loc, scale=scale)[1]
    return build_pair(gen.sample_shape)[1]


def fast_adapt(
    generator: Any,
    local: Any,
    barycenter: Optional[Any] = None,
    *,
    weights: Sequence[float] = (0.6, 0.4),
    steps: int = 100,
    warmup: int = 100,
    config: Optional[WGANConfig] = None,
    hidden: Sequence[int] = (128, 128, 128),
    seed: Optional[int] = 0,
    progress: bool = False,
    callback: Optional[Callable[[int, dict[str, Any]], Optional[bool]]] = None,
) -> AdaptationResult:
    r"""Adapt a barycenter generator to a few local samples (two critics, WGAN-GP).

    Starting from a copy of ``generator``, minimise

    .. math::

        \lambda_0\, W_1(G_\# N(0, I), \hat\nu_{\rm local}) + \lambda_b\, W_1(G_\# N(0, I), \bar\nu)

    with one gradient-penalised critic per term (:func:`otbary.neural.barycenter.train_generator`).
    Both critics are first trained alone for ``warmup`` steps against the initial generator, so
    that the generator's first steps follow informative gradients rather than random critics.

    Parameters
    ----------
    generator : Generator or NeuralBarycenterResult
        The barycenter generator to start from (not modified).
    local : array (n, *sample_shape), Tensor, Measure or sampler
        The local data; an array of ``n`` samples is resampled with replacement
        (:func:`~otbary.neural.samplers.as_sampler`).
    barycenter : sampler, array, Measure or generator, optional
        Samples of :math:`\bar\nu` for the second critic; default a frozen copy of ``generator``.
    weights : pair of float, default (0.6, 0.4)
        ``(lambda_local, lambda_barycenter)``, non-negative, summing to one. ``(1, 0)`` is plain
        fine-tuning on the local data.
    steps : int, default 100
        Generator steps (each after ``config.n_critic`` steps of each critic). Few steps is the
        point ("fast"): on the toys of ``docs/neural-adaptation.md`` the exact W1 to the local
        distribution is lowest around 100 steps and then drifts up and down as the generator
        overshoots the few samples.
    warmup : int, default 100
        Critic-only steps before the first generator step (0 to skip).
    config : WGANConfig, optional
        Default :data:`ADAPT_CONFIG`: lambda 10, n_critic 5, batch 128, Adam betas ``(0, 0.9)``,
        generator ``lr = 1e-4``, critics ``critic_lr = 1e-3``. A generator slower than its critics
        (two time-scale updates) keeps the critics' W1 estimates meaningful while it moves; with
        equal rates the generator overshoots and oscillates on the toys.
    hidden : sequence of int
        Critic widths (MLP generators).
    seed : int, optional
        Seeds the critics' initial weights and every draw.
    progress : bool
        Progress bar.
    callback : callable, optional
        ``callback(step, info)`` after each generator step, ``info`` holding ``"w1"`` (the two
        critics' estimates), ``"objective"`` and ``"generator"`` (the generator being adapted);
        returning ``False`` stops adaptation (early stopping).

    Returns
    -------
    AdaptationResult

    Raises
    ------
    TypeError
        ``generator`` is not a generator.
    ValueError
        ``weights`` not a pair of non-negative numbers summing to one, local samples of the wrong
        shape or non-finite, ``steps < 1`` or ``warmup < 0``.
    TrainingDivergedError
        A loss became non-finite.
    """
    gen0 = _as_generator(generator)
    lam = check_weights(weights, 2, "weights")
    for name, v, low in (("steps", steps, 1), ("warmup", warmup, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be an int >= {low}; got {v!r}")
    shape = tuple(gen0.sample_shape)
    local_s = as_sampler(local, "local", sample_shape=shape, seed=seed)
    n_local = int(np.shape(local)[0]) if isinstance(local, (np.ndarray, torch.Tensor)) else None
    if barycenter is None:
        frozen = copy.deepcopy(gen0).eval()
        for p in frozen.parameters():
            p.requires_grad_(False)
        bary_s = as_sampler(frozen, "barycenter", sample_shape=shape)
    else:
        bary_s = as_sampler(barycenter, "barycenter", sample_shape=shape,
                            seed=None if seed is None else seed + 1)
    cfg = ADAPT_CONFIG if config is None else config
    gen = copy.deepcopy(gen0)
    gen.train()
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(int(seed))
        critics = [_critic_for(gen, hidden) for _ in range(2)]
    t0 = time.perf_counter()
    if warmup:
        _warm_critics(gen, critics, [local_s, bary_s], lam, warmup, cfg, seed)

    def cb(step: int, info: dict[str, Any]) -> Optional[bool]:
        return None if callback is None else callback(step, {**info, "generator": gen})

    res = train_generator(gen, [local_s, bary_s], lam, critics, steps=steps, config=cfg,
                          seed=None if seed is None else seed + 7, progress=progress, callback=cb,
                          desc="fast adaptation")
    return AdaptationResult(generator=res.generator, critics=res.critics, weights=lam, history=res.history,
                            steps=res.steps, warmup=warmup, elapsed=time.perf_counter() - t0, n_local=n_local)


def _warm_critics(gen: Generator, critics: Sequence[nn.Module], samplers: Sequence[Sampler],
                  lam: NDArray[np.float64], steps: int, cfg: WGANConfig, seed: Optional[int]) -> None:
    """Train each critic of positive weight alone against the fixed initial generator."""
    rng = torch.Generator()
    rng.manual_seed(int(seed) + 3 if seed is not None else int(torch.randint(2**62, (1,))))
    opts = [make_optimizer(c.parameters(), cfg, critic=True) for c in critics]
    dev = next(gen.parameters()).device
    for _ in range(steps):
        with torch.no_grad():
            fake = gen.sample(cfg.batch_size, rng)
        for c, o, s, w in zip(critics, opts, samplers, lam, strict=True):
            if w > 0:
                critic_step(c, o, s(cfg.batch_size, rng).to(dev), fake, cfg.lambda_gp, rng)


def train_local(
    local: Any,
    *,
    steps: int = 400,
    config: Optional[WGANConfig] = LOCAL_CONFIG,
    hidden: Sequence[int] = (128, 128, 128),
    latent_dim: Optional[int] = None,
    seed: Optional[int] = 0,
    progress: bool = False,
) -> NeuralBarycenterResult:
    r"""The baseline: a fresh generator trained on the local samples only:
    :math:`\min_G W_1(G_\# N, \hat\nu)`.

    The one-input case of :func:`otbary.neural.barycenter.neural_barycenter` (same networks,
    standardised by the local samples' mean and spread), with :data:`LOCAL_CONFIG` by default
    (400 steps of 5 critic steps is about twice the compute of :func:`fast_adapt`'s default 100
    warm-up plus 100 steps).
    """
    return neural_barycenter([local], steps=steps, config=config, hidden=hidden, latent_dim=latent_dim,
                             seed=seed, progress=progress)


@dataclass(frozen=True)
class SampleScore:
    r"""Exact W1 from a model's samples to a target's, with the same estimator's floor.

    Attributes
    ----------
    w1 : float
        Mean over repeats of :math:`W_1(\hat\mu^{(n)}, \hat\nu^{(n)})` (fresh samples each repeat).
    interval : tuple of float
        ``w1 -+ 1.96 se`` over repeats.
    floor : float
        Mean of :math:`W_1(\hat\nu^{(n)}, \hat\nu'^{(n)})`, two independent target samples: what a
        perfect model scores.
    floor_interval : tuple of float
    excess : float
        ``w1 - floor`` (paired per repeat: the same target sample enters both).
    excess_interval : tuple of float
    values : ndarray
        Per-repeat ``W1(model, target)``.
    n_samples, n_repeats : int
    metric : str
    """

    w1: float
    interval: tuple[float, float]
    floor: float
    floor_interval: tuple[float, float]
    excess: float
    excess_interval: tuple[float, float]
    values: NDArray[np.float64]
    n_samples: int
    n_repeats: int
    metric: str
    info: dict[str, Any] = field(default_factory=dict)


def _mean_interval(v: NDArray[np.float64]) -> tuple[float, tuple[float, float]]:
    m = float(v.mean())
    if v.size < 2:
        return m, (m, m)
    h = Z95 * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, (m - h, m + h)


def _draw_flat(s: Sampler, n: int, g: torch.Generator) -> NDArray[np.float64]:
    return s(n, g).reshape(n, -1).numpy().astype(np.float64)


def sample_w1_score(
    model: Any,
    target: Any,
    *,
    n_samples: int = 1000,
    n_repeats: int = 5,
    metric: str = "euclidean",
    seed: Optional[int] = 0,
) -> SampleScore:
    r"""Exact W1 between ``n`` samples of ``model`` and ``n`` of ``target``, with the like-with-like floor.

    For each repeat ``r``: fresh samples :math:`\hat\mu_r` (model), :math:`\hat\nu_r`,
    :math:`\hat\nu'_r` (target), all of size ``n``;

    .. math::

        s_r = W_1(\hat\mu_r, \hat\nu_r), \qquad f_r = W_1(\hat\nu'_r, \hat\nu_r),

    each solved exactly (:func:`otbary.w1`). Reports the means of ``s`` and ``f`` and of the
    paired excess ``s_r - f_r`` with normal 95% intervals. ``E[s]`` converges to
    :math:`W_1(\mu, \nu)` as ``n`` grows, and a model equal to the target has excess 0 in expectation.

    Parameters
    ----------
    model, target : generator, sampler, array, Measure or result with ``.generator``
        Anything :func:`~otbary.neural.samplers.as_sampler` accepts (arrays are resampled with
        replacement). :class:`AdaptationResult` and ``NeuralBarycenterResult`` are unwrapped.
    n_samples : int, default 1000
    n_repeats : int, default 5
    metric : {"euclidean", "cityblock", "chebyshev"}
    seed : int, optional

    Returns
    -------
    SampleScore
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2; got {n_samples!r}")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an int >= 1; got {n_repeats!r}")
    metric = check_metric(metric)
    if isinstance(model, (AdaptationResult, NeuralBarycenterResult)):
        model = model.generator
    if isinstance(target, (AdaptationResult, NeuralBarycenterResult)):
        target = target.generator
    m_s = as_sampler(model, "model", seed=seed)
    t_s = as_sampler(target, "target", seed=None if seed is None else seed + 1)
    if int(np.prod(m_s.sample_shape)) != int(np.prod(t_s.sample_shape)):
        raise ValueError(f"model samples have shape {m_s.sample_shape}, target samples {t_s.sample_shape}")
    g = torch.Generator().manual_seed(int(seed) if seed is not None else int(torch.randint(2**62, (1,))))
    s = np.empty(n_repeats)
    f = np.empty(n_repeats)
    for r in range(n_repeats):
        x = Measure(_draw_flat(m_s, n_samples, g))
        y = Measure(_draw_flat(t_s, n_samples, g))
        y2 = Measure(_draw_flat(t_s, n_samples, g))
        s[r] = w1(x, y, metric=metric)
        f[r] = w1(y2, y, metric=metric)
    sm, si = _mean_interval(s)
    fm, fi = _mean_interval(f)
    em, ei = _mean_interval(s - f)
    return SampleScore(w1=sm, interval=si, floor=fm, floor_interval=fi, excess=em, excess_interval=ei,
                       values=s, n_samples=n_samples, n_repeats=n_repeats, metric=metric)
