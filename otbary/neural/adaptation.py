r"""Fast adaptation of a barycenter generator to a few local samples, and how to score it.

**Where it comes from** (docs/neural-adaptation.md). A node holding a few samples
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
**starting from the barycenter generator** and for few steps. For W1 this two-marginal problem
is degenerate (theory fact 5): for :math:`\lambda_0 > 1/2` its unique minimiser is the empirical
measure :math:`\hat\nu_0` itself, for :math:`\lambda_0 < 1/2` it is :math:`\bar\nu`. What
makes adaptation work is the initialisation and the few steps, not the optimum. :func:`fast_adapt`
therefore (1) *aligns* the frozen barycenter generator to the samples by a learnt shift (a map
with ``d`` parameters cannot memorise them), then (2) *refines* every weight against a critic on
the samples and one on the **aligned** barycenter (which keeps its shape where the data are),
with the one-sided gradient penalty, which lets the critics go flat instead of pushing the
generator past the samples and back. ``align_steps=0`` is the published method.

**Baseline**: a generator trained on the local samples alone (:func:`train_local`).

**Score**: the exact W1 between ``n`` fresh samples of the model and ``n`` fresh samples of the
true local distribution (available on toys), averaged over repeats, next to the same estimator
applied to two independent samples of the true distribution (the floor a perfect model gets):
:func:`sample_w1_score`. Both sides use the same ``n``, so the finite-sample bias cancels in the
comparison ("like with like").
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from ..exact import w1
from ..geometry import check_metric
from ..measures import Measure, check_weights
from .barycenter import NeuralBarycenterResult, neural_barycenter, train_generator
from .nets import Generator, MLPGenerator, build_pair
from .samplers import Sampler, as_sampler
from .wgan import WGANConfig, critic_step, make_optimizer

__all__ = [
    "ADAPT_CONFIG", "LOCAL_CONFIG", "AdaptationResult", "SampleScore", "ShiftScale", "fast_adapt",
    "generator_sampler",
    "train_local", "sample_w1_score",
]

#: ``z`` of the two-sided 95% normal interval.
Z95 = 1.959963984540054

#: Training settings of :func:`fast_adapt` by default: generator 1e-4, critics 1e-3 (two time
#: scales), one-sided gradient penalty (see :func:`fast_adapt`).
ADAPT_CONFIG = WGANConfig(lambda_gp=10.0, n_critic=5, lr=1e-4, critic_lr=1e-3, betas=(0.0, 0.9),
                          batch_size=128, one_sided=True, ema_decay=0.0, lr_schedule="constant")
#: Training settings of :func:`train_local` by default (the anchor: one learning rate, 1e-3).
LOCAL_CONFIG = WGANConfig(lambda_gp=10.0, n_critic=5, lr=1e-3, betas=(0.5, 0.9), batch_size=128,
                          one_sided=False, ema_decay=0.0, lr_schedule="constant")


@dataclass
class AdaptationResult:
    """A generator adapted from a barycenter generator to local samples.

    Attributes
    ----------
    generator : Generator
        The adapted generator (a new module; the input generator is not modified). An
        :class:`~otbary.neural.nets.MLPGenerator` stays one (the alignment is folded into its
        ``loc`` and ``scale``); other generators come back wrapped in a :class:`ShiftScale`.
    critics : list of nn.Module
        ``[local critic, barycenter critic]``.
    weights : ndarray
        ``(lambda_local, lambda_barycenter)`` of the refinement stage.
    history : dict
        As :attr:`otbary.neural.barycenter.NeuralBarycenterResult.history` for the refinement
        (``"w1"`` holds the two critics' estimates ``[W1(local, mu), W1(aligned barycenter, mu)]``),
        plus ``"align_w1"``: the local critic's estimate at each alignment step.
    steps : int
        Refinement generator steps taken.
    warmup : int
        Critic-only steps taken before each stage's first generator step.
    elapsed : float
        Seconds (warm-ups included).
    n_local : int or None
        Number of local samples when they were given as an array.
    align_steps : int
        Alignment steps taken.
    shift, scale : ndarray
        The alignment map ``T(x) = center + shift + scale * (x - center)`` (per coordinate) applied
        to the barycenter generator before refinement; ``shift = 0``, ``scale = 1`` without
        alignment.
    center : ndarray
        Mean of the barycenter generator's samples (the fixed point of the scaling).
    """

    generator: Generator
    critics: list[nn.Module]
    weights: NDArray[np.float64]
    history: dict[str, list[Any]]
    steps: int
    warmup: int
    elapsed: float
    n_local: Optional[int] = None
    align_steps: int = 0
    shift: Optional[NDArray[np.float64]] = None
    scale: Optional[NDArray[np.float64]] = None
    center: Optional[NDArray[np.float64]] = None

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


class ShiftScale(Generator):
    r"""A generator followed by a learnt per-coordinate affine map about a fixed centre.

    ``T(G(z)) = center + spread * shift + exp(log_scale) * (G(z) - center)``: ``shift`` and
    ``log_scale`` (parameters of shape ``sample_shape``) are the alignment of :func:`fast_adapt`;
    ``center`` (the base generator's mean) and ``spread`` (its mean standard deviation, so that
    ``shift`` is in units of the generator's own spread and one learning rate fits any data
    scale) are buffers.

    Parameters
    ----------
    base : Generator
        The wrapped generator (kept as a submodule, trained or frozen by the caller).
    center : Tensor
        Shape ``sample_shape``.
    spread : float
        Positive.
    """

    center: Tensor
    spread: Tensor

    def __init__(self, base: Generator, center: Tensor, spread: float) -> None:
        super().__init__()
        if not isinstance(base, Generator):
            raise TypeError(f"base must be an otbary.neural Generator; got {type(base).__name__}")
        if not (math.isfinite(spread) and spread > 0):
            raise ValueError(f"spread must be finite and > 0; got {spread}")
        self.base = base
        self.latent_dim = base.latent_dim
        self.sample_shape = tuple(base.sample_shape)
        c = torch.as_tensor(center, dtype=torch.float32).detach().clone().reshape(self.sample_shape)
        self.register_buffer("center", c)
        self.register_buffer("spread", torch.tensor(float(spread)))
        self.shift = nn.Parameter(torch.zeros(self.sample_shape))
        self.log_scale = nn.Parameter(torch.zeros(self.sample_shape))

    def affine(self) -> tuple[Tensor, Tensor, Tensor]:
        """``(center, offset, factor)`` of the map ``x -> center + offset + factor * (x - center)``."""
        return self.center, self.spread * self.shift, torch.exp(self.log_scale)

    def transform(self, x: Tensor) -> Tensor:
        """Apply the affine map to samples ``x`` of shape ``(B, *sample_shape)`` (or one sample)."""
        return _affine(x, *self.affine())

    def forward(self, z: Tensor) -> Tensor:
        return self.transform(self.base(z))


def _affine(x: Tensor, center: Tensor, offset: Tensor, factor: Tensor) -> Tensor:
    """``center + offset + factor * (x - center)``: the alignment map of :class:`ShiftScale`."""
    return center + offset + factor * (x - center)


def _fold(wrapped: ShiftScale) -> Generator:
    """An :class:`MLPGenerator` equal to ``wrapped`` (the map folded into ``loc`` and ``scale``)."""
    base = wrapped.base
    if not isinstance(base, MLPGenerator):
        return wrapped
    with torch.no_grad():
        # MLPGenerator outputs loc + scale * h: the map sends it to T(loc) + factor * scale * h
        base.loc.copy_(wrapped.transform(base.loc))
        base.scale.copy_(wrapped.affine()[2] * base.scale)
    return base


def _transformed(sampler: Sampler, wrapped: ShiftScale) -> Sampler:
    """``sampler`` with its draws pushed through ``wrapped``'s affine map, frozen now."""
    frozen = [t.detach().clone() for t in wrapped.affine()]

    def draw(n: int, g: Optional[torch.Generator]) -> Tensor:
        x = sampler(n, g)
        return _affine(x, *(t.to(x) for t in frozen))

    return Sampler(draw, sampler.sample_shape, "aligned barycenter", "transformed")


def fast_adapt(
    generator: Any,
    local: Any,
    barycenter: Optional[Any] = None,
    *,
    weights: Sequence[float] = (0.6, 0.4),
    steps: int = 100,
    warmup: int = 100,
    align_steps: int = 100,
    align_lr: float = 1e-2,
    align_scale: bool = False,
    config: Optional[WGANConfig] = None,
    hidden: Sequence[int] = (128, 128, 128),
    seed: Optional[int] = 0,
    progress: bool = False,
    callback: Optional[Callable[[int, dict[str, Any]], Optional[bool]]] = None,
) -> AdaptationResult:
    r"""Adapt a barycenter generator to a few local samples: align, then refine with two critics.

    **1. Alignment** (``align_steps``, 0 to skip). The barycenter generator is frozen and followed
    by a per-coordinate map :math:`T(x) = c + b + e^{s} \odot (x - c)` (:class:`ShiftScale`,
    :math:`c` the generator's mean, :math:`b` started at the difference of the local samples'
    mean and :math:`c`, :math:`s = 0`); only the shift :math:`b` is trained (and :math:`s` with
    ``align_scale=True``), against one critic on the local samples:
    :math:`\min_b W_1(T_\# G_\# N(0, I), \hat\nu_{\rm local})`. A map with :math:`d` parameters
    cannot memorise the samples; it moves the barycenter's shape where the local data are (the
    premise of the method is that the local distribution resembles the pre-trained models up to
    where it sits).

    **2. Refinement** (``steps``). Every weight is trained (an MLP generator gets the map folded
    into its output ``loc`` and ``scale``) on

    .. math::

        \lambda_0\, W_1(G_\# N(0, I), \hat\nu_{\rm local}) + \lambda_b\, W_1(G_\# N(0, I), T_\#\bar\nu),

    one gradient-penalised critic per term (:func:`otbary.neural.barycenter.train_generator`):
    the local critic carried over from stage 1 and a critic on the *aligned* barycenter
    :math:`T_\#\bar\nu` (samples of the frozen aligned generator, or of ``barycenter`` pushed
    through :math:`T`), which anchors the barycenter's shape where the data are, instead of
    pulling the model back to where the barycenter was. With ``align_steps=0`` this is the
    published method (critics on the local samples and on :math:`\bar\nu`).

    Each critic is first trained alone for ``warmup`` steps against the current generator, so that
    each stage's first generator steps follow informative gradients.

    Parameters
    ----------
    generator : Generator or NeuralBarycenterResult
        The barycenter generator to start from (not modified).
    local : array (n, *sample_shape), Tensor, Measure or sampler
        The local data; an array of ``n`` samples is resampled with replacement
        (:func:`~otbary.neural.samplers.as_sampler`).
    barycenter : sampler, array, Measure or generator, optional
        Samples of :math:`\bar\nu` for the second critic (pushed through the alignment map);
        default a frozen copy of ``generator``.
    weights : pair of float, default (0.6, 0.4)
        ``(lambda_local, lambda_barycenter)`` of the refinement, non-negative, summing to one.
        ``(1, 0)`` is plain fine-tuning on the local data. For two measures W1 is degenerate
        (theory fact 5): with ``lambda_local > 1/2`` the minimiser is the empirical measure itself,
        so what the refinement reaches depends on ``steps``; the one-sided penalty of
        :data:`ADAPT_CONFIG` makes it settle instead of oscillate.
    steps : int, default 100
        Refinement generator steps (each after ``config.n_critic`` steps of each critic). With the
        defaults the whole adaptation takes 1700 critic steps and 200 generator steps, less than
        :func:`train_local`'s default 400 steps (2000 critic steps).
    warmup : int, default 100
        Critic-only steps before each stage's first generator step (0 to skip).
    align_steps : int, default 100
        Alignment generator steps (0: no alignment, the published method).
    align_lr : float, default 1e-2
        Adam learning rate of the alignment map (the shift in units of the generator's spread).
    align_scale : bool, default False
        Also learn a per-coordinate scale about the generator's mean. Off by default: with 10
        samples the learnt scale followed their spread (0.45 instead of about 1 in one tuning run)
        and the fit got worse.
    config : WGANConfig, optional
        Default :data:`ADAPT_CONFIG`: lambda 10, n_critic 5, batch 128, Adam betas ``(0, 0.9)``,
        generator ``lr = 1e-4``, critics ``critic_lr = 1e-3``, one-sided penalty. The generator is
        slower than its critics (two time scales), so the critics' estimates stay meaningful while
        it moves; the one-sided penalty (Petzka et al. 2018) lets a critic go flat once the
        generator matches its input, which the two-sided WGAN-GP penalty forbids: with it the
        critic keeps slope 1 and the generator drifts past the optimum (measured: the exact W1
        to the local distribution went 0.34, 0.24, 0.37, 0.49, 0.40, 0.30, 0.56, 0.91 at steps
        75 to 250 with the two-sided penalty and no alignment).
    hidden : sequence of int
        Critic widths (MLP generators).
    seed : int, optional
        Seeds the critics' initial weights and every draw.
    progress : bool
        Progress bar.
    callback : callable, optional
        ``callback(step, info)`` after each generator step of either stage, ``step`` counting
        from 1 across both stages, ``info`` holding ``"stage"`` (``"align"`` or ``"refine"``),
        ``"w1"`` (the critics' estimates), ``"objective"`` and ``"generator"`` (the generator being
        adapted); returning ``False`` stops adaptation (early stopping).

    Returns
    -------
    AdaptationResult

    Raises
    ------
    TypeError
        ``generator`` is not a generator.
    ValueError
        ``weights`` not a pair of non-negative numbers summing to one, local samples of the wrong
        shape or non-finite, ``steps < 1``, ``warmup < 0``, ``align_steps < 0`` or ``align_lr``
        not positive.
    TrainingDivergedError
        A loss became non-finite.
    """
    gen0 = _as_generator(generator)
    lam = check_weights(weights, 2, "weights")
    for name, v, low in (("steps", steps, 1), ("warmup", warmup, 0), ("align_steps", align_steps, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be an int >= {low}; got {v!r}")
    if isinstance(align_lr, bool) or not isinstance(align_lr, (int, float)) or not (
            math.isfinite(align_lr) and align_lr > 0):
        raise ValueError(f"align_lr must be a finite number > 0; got {align_lr!r}")
    shape = tuple(gen0.sample_shape)
    local_s = as_sampler(local, "local", sample_shape=shape, seed=seed)
    n_local = int(np.shape(local)[0]) if isinstance(local, (np.ndarray, torch.Tensor)) else None
    cfg = ADAPT_CONFIG if config is None else config
    gen = copy.deepcopy(gen0)
    gen.train()
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(int(seed))
        critics = [_critic_for(gen, hidden) for _ in range(2)]
    dev = next(gen.parameters()).device
    g = torch.Generator().manual_seed(int(seed) + 5 if seed is not None else int(torch.randint(2**62, (1,))))
    with torch.no_grad():
        x0 = gen.sample(4096, g).reshape(4096, *shape)
        if isinstance(local, torch.Tensor):
            y0 = local.detach().to(device="cpu", dtype=torch.float32)
        elif isinstance(local, np.ndarray):
            y0 = torch.as_tensor(np.asarray(local, dtype=np.float32))
        else:
            y0 = local_s(4096, g)
        y0 = y0.reshape(-1, *shape).to(x0)
    spread = float(x0.std(0).mean())
    wrapped = ShiftScale(gen, x0.mean(0), spread if spread > 0 and math.isfinite(spread) else 1.0).to(dev)
    with torch.no_grad():
        wrapped.shift.copy_((y0.mean(0) - wrapped.center) / wrapped.spread)
    t0 = time.perf_counter()
    done = 0
    stopped = False

    def cb_for(stage: str, model: Generator) -> Callable[[int, dict[str, Any]], Optional[bool]]:
        def cb(step: int, info: dict[str, Any]) -> Optional[bool]:
            nonlocal stopped
            if callback is None:
                return None
            go = callback(done + step, {**info, "stage": stage, "generator": model})
            stopped = stopped or go is False
            return go

        return cb

    align_hist: list[float] = []
    taken = 0
    if align_steps:
        flags = [p.requires_grad for p in gen.parameters()]
        for p in gen.parameters():
            p.requires_grad_(False)
        wrapped.log_scale.requires_grad_(bool(align_scale))
        if warmup:
            _warm_critics(wrapped, critics[:1], [local_s], np.ones(1), warmup, cfg, seed)
        acfg = dataclasses.replace(cfg, lr=float(align_lr))
        try:
            ares = train_generator(wrapped, [local_s], [1.0], critics[:1], steps=align_steps, config=acfg,
                                   seed=None if seed is None else seed + 13, progress=progress,
                                   callback=cb_for("align", wrapped), desc="alignment")
        finally:
            for p, f in zip(gen.parameters(), flags, strict=True):
                p.requires_grad_(f)
        align_hist = [float(v[0]) for v in ares.history["w1"]]
        taken = done = ares.steps
    else:
        with torch.no_grad():
            wrapped.shift.zero_()
    shift = (wrapped.spread * wrapped.shift).detach().cpu().numpy().astype(np.float64)
    scale = torch.exp(wrapped.log_scale).detach().cpu().numpy().astype(np.float64)
    center = wrapped.center.detach().cpu().numpy().astype(np.float64)
    model: Generator = _fold(wrapped) if align_steps else gen
    if barycenter is None:
        frozen = copy.deepcopy(model).eval()
        for p in frozen.parameters():
            p.requires_grad_(False)
        bary_s: Any = as_sampler(frozen, "barycenter", sample_shape=shape)
    else:
        raw = as_sampler(barycenter, "barycenter", sample_shape=shape,
                         seed=None if seed is None else seed + 1)
        bary_s = _transformed(raw, wrapped) if align_steps else raw
    history: dict[str, list[Any]] = {"step": [], "objective": [], "w1": [], "generator_loss": []}
    n_refine = 0
    if not stopped:
        if warmup:
            # the local critic is already trained when the generator was aligned
            mask = np.array([0.0 if align_steps else lam[0], lam[1]])
            _warm_critics(model, critics, [local_s, bary_s], mask, warmup, cfg, seed)
        res = train_generator(model, [local_s, bary_s], lam, critics, steps=steps, config=cfg,
                              seed=None if seed is None else seed + 7, progress=progress,
                              callback=cb_for("refine", model), desc="fast adaptation")
        history = res.history
        n_refine = res.steps
    history["align_w1"] = align_hist
    return AdaptationResult(generator=model, critics=critics, weights=lam, history=history, steps=n_refine,
                            warmup=warmup, elapsed=time.perf_counter() - t0, n_local=n_local,
                            align_steps=taken, shift=shift, scale=scale, center=center)


def _warm_critics(gen: Generator, critics: Sequence[nn.Module], samplers: Sequence[Any],
                  lam: NDArray[np.float64], steps: int, cfg: WGANConfig, seed: Optional[int]) -> None:
    """Train each critic of positive weight alone against the fixed current generator."""
    rng = torch.Generator()
    rng.manual_seed(int(seed) + 3 if seed is not None else int(torch.randint(2**62, (1,))))
    opts = [make_optimizer(c.parameters(), cfg, critic=True) for c in critics]
    dev = next(gen.parameters()).device
    for _ in range(steps):
        with torch.no_grad():
            fake = gen.sample(cfg.batch_size, rng)
        for c, o, s, w in zip(critics, opts, samplers, lam, strict=True):
            if w > 0:
                critic_step(c, o, s(cfg.batch_size, rng).to(dev), fake, cfg.lambda_gp, rng, cfg.one_sided)


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
    standardised by the local samples' mean and spread, so that the untrained generator is about
    a Gaussian at their mean and spread), with :data:`LOCAL_CONFIG` by default. 400 steps of 5
    critic steps (2000 critic steps, 400 generator steps) is more than :func:`fast_adapt`'s
    defaults (1700 critic steps, 200 generator steps).
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
