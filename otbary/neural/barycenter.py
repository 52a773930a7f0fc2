r"""Neural W1 barycenters: one generator against K WGAN-GP critics, and the recursive configuration.

**Joint configuration.** A generator :math:`G` (pushing :math:`z \sim N(0, I)` forward to
:math:`\mu = G_\# N(0, I)`) and one critic :math:`f_k` per input :math:`\nu_k`. Each critic
estimates :math:`W_1(\nu_k, \mu) \approx \mathbb E_{\nu_k} f_k - \mathbb E_\mu f_k` (WGAN-GP,
:mod:`otbary.neural.wgan`); the generator minimises the barycenter objective

.. math:: \sum_k \lambda_k\, W_1(\mu, \nu_k)
          \approx -\sum_k \lambda_k\, \mathbb E_{z} f_k(G(z)) + \text{const}.

Each generator step follows ``n_critic`` critic steps on every critic.

**Recursive configuration** (theory fact 7). A chain of two-marginal problems:
:math:`b_1 = \nu_1` and, for :math:`k = 2..K`, :math:`b_k` solves
:math:`\min_\mu (1 - t_k) W_1(\mu, b_{k-1}) + t_k W_1(\mu, \nu_k)` (a generator against two
critics, :math:`b_{k-1}` sampled from the previous stage's frozen generator) with
:math:`t_k = \lambda_k / \sum_{j \le k} \lambda_j` or user-given ``t``. For W1 this chain is not
optimal in general (theory facts 5 and 7): judge it with :func:`otbary.certify`.

Training (:func:`train_generator`) writes a checkpoint every ``checkpoint_every`` steps
(:mod:`otbary.neural.checkpoint`, atomic, so Ctrl-C keeps the last one), resumes from it with
``resume=True`` and stops with :class:`TrainingDivergedError` at the first non-finite loss,
leaving the last good checkpoint in place.

**Devices.** ``device="cuda"`` (or ``"cuda:1"``, ``"mps"``, a ``torch.device``) trains the
generator and the critics there; the default keeps the nets where they are (the CPU for the nets
:func:`neural_barycenter` builds). Random draws (latent codes, resampling of arrays and
measures, Gaussian samplers, penalty weights) come from one seeded CPU ``torch.Generator`` and
are moved to the device with each batch, as are the samples of numpy and callable inputs, so
a seeded run uses the same draws on every device and its checkpoint's RNG state is portable;
pre-trained generator inputs run on their own device. Checkpoints are written with every
tensor on the CPU and loaded on the CPU (``weights_only=True``), then copied into the nets and
optimisers on the training device, so a run checkpointed on a GPU resumes on a CPU and back.
Results (:meth:`NeuralBarycenterResult.sample`, :meth:`~NeuralBarycenterResult.sampler`) are
float64 numpy arrays on the host whatever the device.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from ..measures import Measure, check_weights
from ..progress import progress_bar
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .nets import DeviceLike, Generator, as_device, build_pair
from .samplers import Sampler, as_sampler, as_samplers
from .wgan import WGANConfig, critic_step, generator_loss, make_optimizer, resolve_config

__all__ = [
    "NeuralBarycenterResult", "TrainingDivergedError", "train_generator", "neural_barycenter",
    "recursive_neural_barycenter", "recursive_weights",
]

PathLike = Union[str, Path]
#: ``callback(step, info) -> Optional[bool]``; returning ``False`` stops training after this step.
Callback = Callable[[int, dict[str, Any]], Optional[bool]]


class TrainingDivergedError(FloatingPointError):
    """A loss became NaN or infinite; training stopped (the last good checkpoint is kept)."""

    def __init__(self, message: str, step: int, checkpoint_step: Optional[int]) -> None:
        super().__init__(message)
        self.step = step
        self.checkpoint_step = checkpoint_step


@dataclass
class NeuralBarycenterResult:
    """A trained neural barycenter.

    Attributes
    ----------
    generator : Generator
        The barycenter generator (``generator.sample(n)``): the parameter average when the
        config's ``ema_decay > 0``, the best certified one with ``certify_every``.
    critics : list of nn.Module
        One critic per marginal of the (last) problem.
    weights : ndarray
        The weights of the (last) problem.
    history : dict
        Per recorded step: ``"step"``, ``"objective"`` (the critics' estimate
        :math:`\\sum_k \\lambda_k \\widehat W_1^k`, biased: certify the result), ``"w1"`` (list of K
        estimates), ``"generator_loss"``.
    steps : int
        Generator steps done in total (including resumed ones).
    elapsed : float
        Seconds of training in this call.
    steps_per_second : float
        Generator steps (each with ``n_critic`` critic steps per critic) per second in this call.
    checkpoint : str or None
        The checkpoint file, if any.
    resumed_from : int or None
        The step training resumed from.
    stages : list of NeuralBarycenterResult
        The recursive configuration's stages (empty for the joint configuration).
    device : str or None
        The device training ran on (``"cpu"``, ``"cuda:0"``...).
    tracking : CertifiedTracking or None
        With ``certify_every``: the certifications along training (``tracking.records``), the
        step of the generator kept (``tracking.best_step``) and where ``target_gap`` stopped
        training (``tracking.stopped_at``).
    """

    generator: Generator
    critics: list[nn.Module]
    weights: np.ndarray
    history: dict[str, list[Any]]
    steps: int
    elapsed: float
    steps_per_second: float
    checkpoint: Optional[str] = None
    resumed_from: Optional[int] = None
    stages: list["NeuralBarycenterResult"] = field(default_factory=list)
    device: Optional[str] = None
    tracking: Optional[Any] = None

    @property
    def objective_estimate(self) -> float:
        """Mean of the critics' objective estimate over the last 10 recorded steps (NaN-free)."""
        obj = self.history.get("objective", [])
        if not obj:
            raise ValueError("no training step was recorded")
        return float(np.mean(obj[-10:]))

    def sample(self, n: int, seed: Optional[int] = None) -> np.ndarray:
        """``n`` samples of the barycenter as a float64 numpy array ``(n, *sample_shape)`` on the host.

        The latent codes are drawn on the CPU (from ``seed``) and moved to the generator's device,
        so one seed gives the same codes whatever the device.
        """
        g = torch.Generator().manual_seed(seed) if seed is not None else None
        self.generator.eval()
        with torch.no_grad():
            x = self.generator.sample(n, g).cpu().numpy().astype(np.float64)
        self.generator.train()
        return x

    def to_measure(self, n: int = 2000, seed: Optional[int] = None) -> Measure:
        """The barycenter as a uniform point cloud of ``n`` samples (vector samples only)."""
        x = self.sample(n, seed)
        if x.ndim != 2:
            raise ValueError("to_measure needs vector samples (n, d); use sample() for images")
        return Measure(x)

    def sampler(self) -> Callable[[int, Any], np.ndarray]:
        """``f(n, rng) -> samples``: the form :func:`otbary.certify` takes for a candidate."""

        def f(n: int, rng: Any = None) -> np.ndarray:
            seed = int(rng.integers(2**31 - 1)) if isinstance(rng, np.random.Generator) else rng
            return self.sample(int(n), seed)

        return f


def recursive_weights(weights: Union[Sequence[float], np.ndarray]) -> list[float]:
    r"""Interpolation parameters :math:`t_k = \lambda_k / \sum_{j \le k} \lambda_j`, ``k = 2..K``."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.shape[0] < 2:
        raise ValueError(f"weights must have at least two entries; got shape {w.shape}")
    cum = np.cumsum(w)
    if np.any(cum[1:] <= 0):
        raise ValueError("weights: the partial sums sum_{j<=k} lambda_j must be > 0")
    return [float(w[k] / cum[k]) for k in range(1, w.shape[0])]


def _rng_state(g: torch.Generator) -> torch.Tensor:
    return g.get_state()


def _finite(x: float) -> bool:
    return math.isfinite(x)


def _on_cpu(obj: Any) -> Any:
    """``obj`` (state dicts, lists, plain values) with every tensor on the CPU, for a portable checkpoint."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {key: _on_cpu(v) for key, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_on_cpu(v) for v in obj)
    return obj


def train_generator(
    generator: Generator,
    samplers: Sequence[Any],
    weights: Optional[ArrayLike] = None,
    critics: Optional[Sequence[nn.Module]] = None,
    *,
    steps: int = 1000,
    config: Optional[Union[WGANConfig, str]] = None,
    seed: Optional[int] = None,
    checkpoint: Optional[PathLike] = None,
    checkpoint_every: int = 100,
    resume: bool = False,
    progress: bool = False,
    callback: Optional[Callback] = None,
    desc: str = "training",
    device: Optional[DeviceLike] = None,
) -> NeuralBarycenterResult:
    r"""Train ``generator`` against one WGAN-GP critic per input: the loss :math:`\sum_k \lambda_k W_1`.

    Parameters
    ----------
    generator : Generator
        Trained in place.
    samplers : sequence
        The inputs :math:`\nu_k` (anything :func:`~otbary.neural.samplers.as_sampler` accepts).
    weights : sequence of float, optional
        :math:`\lambda_k`, non-negative, summing to one; uniform by default.
    critics : sequence of nn.Module, optional
        One per input; fresh :func:`~otbary.neural.nets.build_pair` critics by default.
    steps : int, default 1000
        Total generator steps (a resumed run continues up to ``steps``).
    config : WGANConfig or str, optional
        Hyper-parameters, or the name of a preset (:data:`~otbary.neural.wgan.PRESETS`:
        ``"published"``, ``"default"``); default :class:`~otbary.neural.wgan.WGANConfig`'s.
    seed : int, optional
        Seeds the ``torch.Generator`` used for latent codes, input draws and penalty weights.
    checkpoint : path, optional
        Checkpoint file, written every ``checkpoint_every`` steps and at the end.
    resume : bool, default False
        Continue from ``checkpoint`` (``FileNotFoundError`` if it does not exist,
        :class:`~otbary.neural.checkpoint.CheckpointError` if it does not match this run).
    progress : bool, default False
        tqdm progress bar on stderr.
    callback : callable, optional
        ``callback(step, info)`` after each generator step (``info``: ``"objective"``, ``"w1"``,
        ``"generator_loss"``, ``"generator"``); returning ``False`` stops training.
    desc : str, default "training"
        Label of the progress bar.
    device : str or torch.device, optional
        Where to train: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``. The
        generator and the critics are moved there in place. By default they train on the
        generator's current device (the critics are moved to it). Input samples are moved to it
        once per batch; random draws stay on a seeded CPU generator (the same draws on every
        device). Checkpoints hold CPU tensors and resume on any device.

    Returns
    -------
    NeuralBarycenterResult

    Raises
    ------
    ValueError
        Among others: ``device`` is not a known device, or names one this machine lacks
        (``"cuda"`` when ``torch.cuda.is_available()`` is False).
    TrainingDivergedError
        A loss became non-finite; the last good checkpoint (if any) is kept.
    """
    target = None if device is None else as_device(device)
    cfg = resolve_config(config)
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an otbary.neural Generator; got {type(generator).__name__}")
    smp: list[Sampler] = as_samplers(samplers, "samplers")
    k = len(smp)
    w = check_weights(weights, k)
    if smp[0].sample_shape != tuple(generator.sample_shape):
        raise ValueError(f"samplers draw samples of shape {smp[0].sample_shape}, the generator makes "
                         f"{tuple(generator.sample_shape)}")
    if critics is None:
        crit = [build_pair(generator.sample_shape)[1] for _ in range(k)]
    else:
        crit = list(critics)
        if len(crit) != k:
            raise ValueError(f"critics must have one entry per input ({k}); got {len(crit)}")
    for name, v in (("steps", steps), ("checkpoint_every", checkpoint_every)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be an int >= 1; got {v!r}")
    if target is not None:
        generator.to(target)
    dev = next(generator.parameters()).device
    for c in crit:
        c.to(dev)
    opt_g = make_optimizer(generator.parameters(), cfg)
    opt_c = [make_optimizer(c.parameters(), cfg, critic=True) for c in crit]
    average = copy.deepcopy(generator) if cfg.ema_decay > 0 else None
    if average is not None:
        for p in average.parameters():
            p.requires_grad_(False)
    rng = torch.Generator()
    rng.manual_seed(int(seed) if seed is not None else int(torch.randint(2**62, (1,)).item()))
    history: dict[str, list[Any]] = {"step": [], "objective": [], "w1": [], "generator_loss": []}
    start = 0
    ckpt = Path(checkpoint) if checkpoint is not None else None
    resumed_from: Optional[int] = None
    last_saved: Optional[int] = None
    if resume:
        if ckpt is None:
            raise ValueError("resume=True needs a checkpoint path")
        state = load_checkpoint(ckpt)
        if int(state.get("n_critics", -1)) != k or not np.allclose(state.get("weights", []), w):
            raise CheckpointError(f"checkpoint {str(ckpt)!r} is for another problem "
                                  f"({state.get('n_critics')} inputs, weights {state.get('weights')})")
        try:
            generator.load_state_dict(state["generator"])
            for c, s in zip(crit, state["critics"], strict=True):
                c.load_state_dict(s)
            opt_g.load_state_dict(state["opt_g"])
            if average is not None:
                average.load_state_dict(state["generator_average"])
            for o, s in zip(opt_c, state["opt_c"], strict=True):
                o.load_state_dict(s)
            rng.set_state(state["rng"])
        except (KeyError, RuntimeError, ValueError, TypeError) as exc:
            raise CheckpointError(f"checkpoint {str(ckpt)!r} does not match these networks: {exc}") from exc
        start = resumed_from = last_saved = int(state["step"])
        history = {key: list(state["history"].get(key, [])) for key in history}

    def save(step: int) -> None:
        nonlocal last_saved
        if ckpt is None:
            return
        save_checkpoint(ckpt, _on_cpu({
            "step": step, "n_critics": k, "weights": [float(v) for v in w], "config": cfg.to_dict(),
            "sample_shape": list(generator.sample_shape), "generator": generator.state_dict(),
            **({"generator_average": average.state_dict()} if average is not None else {}),
            "critics": [c.state_dict() for c in crit], "opt_g": opt_g.state_dict(),
            "opt_c": [o.state_dict() for o in opt_c], "rng": _rng_state(rng),
            "history": {key: list(v) for key, v in history.items()},
        }))
        last_saved = step

    def diverged(step: int, what: str) -> TrainingDivergedError:
        where = (f"the last good checkpoint {str(ckpt)!r} (step {last_saved}) is kept"
                 if ckpt is not None and last_saved is not None else "no checkpoint was written")
        return TrainingDivergedError(
            f"training diverged at step {step}: {what}; stopped ({where}). Try a smaller learning rate.",
            step, last_saved)


    bar = progress_bar(progress, total=steps, initial=start, desc=desc, unit="step", leave=False)
    b = cfg.batch_size
    t0 = time.perf_counter()
    done = start
    try:
        for step in range(start, steps):
            w1s = [0.0] * k
            for _ in range(cfg.n_critic):
                with torch.no_grad():
                    fake = generator.sample(b, rng)
                for j in range(k):
                    if w[j] == 0.0:
                        continue
                    real = smp[j](b, rng).to(dev)
                    try:
                        w1s[j] = critic_step(crit[j], opt_c[j], real, fake, cfg.lambda_gp, rng, cfg.one_sided)
                    except FloatingPointError as exc:
                        raise diverged(step, f"critic {j}: {exc}") from None
            fake = generator.sample(b, rng)
            loss = sum(float(w[j]) * generator_loss(crit[j], fake) for j in range(k) if w[j] > 0)
            assert isinstance(loss, torch.Tensor)
            gl = float(loss.detach())
            if not _finite(gl) or not all(_finite(v) for v in w1s):
                raise diverged(step, f"generator loss {gl}, critic estimates {w1s}")
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.lr_schedule == "cosine":
                for group in opt_g.param_groups:
                    group["lr"] = cfg.lr * 0.5 * (1.0 + math.cos(math.pi * step / steps))
            opt_g.step()
            if average is not None:
                _average_into(average, generator, min(cfg.ema_decay, (1.0 + step) / (10.0 + step)))
            obj = float(np.dot(w, w1s))
            history["step"].append(step + 1)
            history["objective"].append(obj)
            history["w1"].append(list(w1s))
            history["generator_loss"].append(gl)
            done = step + 1
            bar.update(1)
            if progress and done % 10 == 0:
                bar.set_postfix(objective=f"{obj:.4f}")
            if done % checkpoint_every == 0:
                save(done)
            info = {"objective": obj, "w1": w1s, "generator_loss": gl,
                    "generator": average if average is not None else generator}
            if callback is not None and callback(done, info) is False:
                break
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    if last_saved != done:
        save(done)
    n_run = done - start
    return NeuralBarycenterResult(
        generator=average if average is not None else generator, critics=crit, weights=w, history=history,
        steps=done, elapsed=elapsed,
        steps_per_second=n_run / elapsed if elapsed > 0 else 0.0,
        checkpoint=str(ckpt) if ckpt is not None else None, resumed_from=resumed_from, device=str(dev),
    )


@torch.no_grad()
def _average_into(average: nn.Module, current: nn.Module, beta: float) -> None:
    """``average <- beta * average + (1 - beta) * current`` (parameters; buffers copied)."""
    for pa, pc in zip(average.parameters(), current.parameters(), strict=True):
        pa.mul_(beta).add_(pc.detach(), alpha=1.0 - beta)
    for ba, bc in zip(average.buffers(), current.buffers(), strict=True):
        ba.copy_(bc)


def _scale_of(samplers: Sequence[Sampler], seed: Optional[int]) -> tuple[np.ndarray, float]:
    g = torch.Generator().manual_seed(int(seed) if seed is not None else 0)
    # .cpu(): a pre-trained generator input returns its samples on its own device
    pooled = torch.cat([s(1024, g).cpu() for s in samplers]).reshape(len(samplers) * 1024, -1)
    loc = pooled.mean(0).numpy()
    scale = float(pooled.std(0).mean())
    return loc, scale if scale > 0 and math.isfinite(scale) else 1.0


def _build(sample_shape: tuple[int, ...], samplers: Sequence[Sampler], k: int, hidden: Sequence[int],
           latent_dim: Optional[int], seed: Optional[int]) -> tuple[Generator, list[nn.Module]]:
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(int(seed))
        if len(sample_shape) == 1:
            loc, scale = _scale_of(samplers, seed)
            gen, _ = build_pair(sample_shape, latent_dim=latent_dim, hidden=hidden,
                                loc=loc.tolist(), scale=scale)
            critics = [build_pair(sample_shape, hidden=hidden, loc=loc.tolist(), scale=scale)[1]
                       for _ in range(k)]
        else:
            gen, _ = build_pair(sample_shape, latent_dim=latent_dim)
            critics = [build_pair(sample_shape)[1] for _ in range(k)]
    return gen, critics


def neural_barycenter(
    measures: Sequence[Any],
    weights: Optional[ArrayLike] = None,
    *,
    steps: int = 2000,
    config: Optional[Union[WGANConfig, str]] = None,
    hidden: Sequence[int] = (64, 64, 64),
    latent_dim: Optional[int] = None,
    generator: Optional[Generator] = None,
    seed: Optional[int] = 0,
    checkpoint: Optional[PathLike] = None,
    checkpoint_every: int = 100,
    resume: bool = False,
    progress: bool = False,
    callback: Optional[Callback] = None,
    device: Optional[DeviceLike] = None,
    certify_every: Optional[int] = None,
    target_gap: Optional[float] = None,
    certify_options: Optional[dict[str, Any]] = None,
) -> NeuralBarycenterResult:
    r"""Neural W1 barycenter of ``measures``: one generator against K WGAN-GP critics.

    Minimises :math:`\sum_k \lambda_k W_1(G_\# N(0, I), \nu_k)` for the euclidean metric, each W1
    estimated by a gradient-penalised critic. Vector inputs get MLP nets standardised by the
    inputs' pooled mean and spread; ``(1, 28, 28)`` images get the conv pair.

    Parameters
    ----------
    measures : sequence
        The inputs: sampler callables, arrays of samples, :class:`~otbary.Measure` objects or
        pre-trained generators (:func:`~otbary.neural.samplers.as_sampler`).
    weights : sequence of float, optional
        :math:`\lambda_k`, uniform by default.
    steps, config, seed, checkpoint, checkpoint_every, resume, progress, callback
        As in :func:`train_generator` (``seed`` also seeds the initial weights).
    hidden, latent_dim
        MLP widths (default three layers of 64) and latent dimension (vector inputs).
    generator : Generator, optional
        Start from this generator (e.g. a pre-trained one) instead of a fresh one.
    device : str or torch.device, optional
        Where to train: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``.
        Default: the CPU, or the device of ``generator`` when one is given. The nets are built
        on the CPU (the same initial weights on every device) and moved there; inputs are moved
        there batch by batch and pre-trained generator inputs run on their own device. Results
        come back as float64 numpy arrays on the host. See :func:`train_generator`.
    certify_every : int, optional
        Certify the generator every ``certify_every`` steps and at the end
        (:class:`~otbary.neural.tracking.CertifiedTracking`, inputs of dimension 1 to 3), and
        return the one with the smallest certified upper bound on its gap.
    target_gap : float, optional
        With ``certify_every``: stop once the certified relative gap's upper bound is at most
        this (e.g. ``0.05``).
    certify_options : dict, optional
        With ``certify_every``: ``n_samples``, ``n_repeats``, ``resolution``, ``confidence``,
        ``metric``, ``seed`` of the certifications.

    Returns
    -------
    NeuralBarycenterResult

    Raises
    ------
    ValueError
        Among others: ``device`` is not a known device, or names one this machine lacks
        (``"cuda"`` when ``torch.cuda.is_available()`` is False).
    """
    target = None if device is None else as_device(device)
    smp = as_samplers(measures, "measures", seed=seed)
    k = len(smp)
    lam = check_weights(weights, k)
    tracker = None
    if certify_every is not None:
        from .tracking import CertifiedTracking

        if len(smp[0].sample_shape) != 1 or not 1 <= smp[0].sample_shape[0] <= 3:
            raise ValueError(f"certify_every needs inputs of dimension 1 to 3; got samples of shape "
                             f"{smp[0].sample_shape}")
        tracker = CertifiedTracking(measures, lam.tolist(), every=certify_every, target=target_gap,
                                    **(certify_options or {}))
        user_callback = callback

        def both(step: int, info: dict[str, Any]) -> Optional[bool]:
            keep = user_callback(step, info) if user_callback is not None else None
            return False if tracker(step, info) is False or keep is False else None

        callback = both
    elif target_gap is not None:
        raise ValueError("target_gap needs certify_every")
    gen, critics = _build(smp[0].sample_shape, smp, k, hidden, latent_dim, seed)
    if generator is not None:
        if not isinstance(generator, Generator):
            raise TypeError(f"generator must be an otbary.neural Generator; got {type(generator).__name__}")
        gen = generator
    res = train_generator(gen, smp, weights, critics, steps=steps, config=config, seed=seed,
                          checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
                          progress=progress, callback=callback, desc="neural barycenter", device=target)
    if tracker is not None:
        if not tracker.records or tracker.records[-1]["step"] != res.steps:
            tracker.certify(res.generator, res.steps)
        res.generator = tracker.restore(res.generator)
        res.tracking = tracker
    return res


def recursive_neural_barycenter(
    measures: Sequence[Any],
    weights: Optional[ArrayLike] = None,
    *,
    t: Optional[Sequence[float]] = None,
    steps: int = 2000,
    config: Optional[Union[WGANConfig, str]] = None,
    hidden: Sequence[int] = (64, 64, 64),
    latent_dim: Optional[int] = None,
    seed: Optional[int] = 0,
    checkpoint: Optional[PathLike] = None,
    checkpoint_every: int = 100,
    resume: bool = False,
    progress: bool = False,
    device: Optional[DeviceLike] = None,
) -> NeuralBarycenterResult:
    r"""The recursive configuration: a chain of K-1 two-marginal neural problems.

    :math:`b_1 = \nu_1`; stage :math:`k = 2..K` trains a generator on
    :math:`(1 - t_k) W_1(\mu, b_{k-1}) + t_k W_1(\mu, \nu_k)`, :math:`b_{k-1}` drawn from the
    previous stage's generator (frozen), the new generator starting from a copy of it. Default
    :math:`t_k = \lambda_k / \sum_{j \le k} \lambda_j` (theory fact 7).

    Parameters
    ----------
    measures, weights
        As in :func:`neural_barycenter` (at least two inputs).
    t : sequence of float, optional
        The K-1 stage parameters in ``[0, 1]``, overriding the ones computed from ``weights``.
    steps : int
        Generator steps **per stage**.
    checkpoint : path, optional
        Stage ``k`` checkpoints to ``<stem>.stage<k><suffix>``.
    config, hidden, latent_dim, seed, checkpoint_every, resume, progress
        As in :func:`neural_barycenter`.
    device : str or torch.device, optional
        Where to train every stage (default the CPU); the frozen generator of stage ``k - 1``
        is sampled there. As in :func:`neural_barycenter`.

    Returns
    -------
    NeuralBarycenterResult
        The last stage, with every stage in ``.stages`` and the original ``weights`` in ``.weights``.

    Notes
    -----
    Not optimal for W1 in general: a two-marginal W1 problem with ``t_k < 1/2`` is solved by
    :math:`b_{k-1}` itself (theory fact 5), so the chain favours the early inputs differently from
    the joint objective. :func:`otbary.certify` measures the resulting gap.
    """
    target = None if device is None else as_device(device)
    smp = as_samplers(measures, "measures", seed=seed)
    k = len(smp)
    if k < 2:
        raise ValueError(f"the recursive configuration needs at least two measures; got {k}")
    lam = check_weights(weights, k)
    if t is None:
        ts = recursive_weights(lam)
    else:
        ts = [float(v) for v in t]
        if len(ts) != k - 1:
            raise ValueError(f"t must have K-1 = {k - 1} entries (one per stage); got {len(ts)}")
        if not all(0.0 <= v <= 1.0 for v in ts):
            raise ValueError(f"t entries must lie in [0, 1]; got {ts}")
    gen, _ = _build(smp[0].sample_shape, smp, 1, hidden, latent_dim, seed)
    prev: Any = smp[0]
    stages: list[NeuralBarycenterResult] = []
    for stage, tk in enumerate(ts, start=2):
        _, critics = _build(smp[0].sample_shape, smp, 2, hidden, latent_dim,
                            None if seed is None else seed + stage)
        path = None
        if checkpoint is not None:
            cp = Path(checkpoint)
            path = cp.with_name(f"{cp.stem}.stage{stage}{cp.suffix}")
        res = train_generator(
            gen, [prev, smp[stage - 1]], [1.0 - tk, tk], critics, steps=steps, config=config,
            seed=None if seed is None else seed + 100 * stage, checkpoint=path,
            checkpoint_every=checkpoint_every, resume=resume and path is not None and path.is_file(),
            progress=progress, desc=f"recursive stage {stage}/{k}", device=target,
        )
        stages.append(res)
        frozen = copy.deepcopy(res.generator).eval()
        for p in frozen.parameters():
            p.requires_grad_(False)
        prev = as_sampler(frozen, f"stage {stage} barycenter")
        gen = copy.deepcopy(res.generator)
    last = stages[-1]
    return NeuralBarycenterResult(
        generator=last.generator, critics=last.critics, weights=lam, history=last.history,
        steps=sum(s.steps for s in stages), elapsed=sum(s.elapsed for s in stages),
        steps_per_second=float(np.mean([s.steps_per_second for s in stages])),
        checkpoint=last.checkpoint, resumed_from=stages[0].resumed_from, stages=stages, device=last.device,
    )
