r"""Certified tracking of a generator along training: certify every N steps, keep the best, stop early.

:class:`CertifiedTracking` is a training callback (:func:`~otbary.neural.barycenter.train_generator`'s
``callback``). Every ``every`` generator steps it certifies the current generator against the
inputs with :func:`otbary.certify` (the sample-based two-sided interval of docs/theory.md, facts
11-13: ``gap_lower <= J(G) - J* <= gap_upper`` at the stated confidence), keeps the generator's
parameters with the smallest *upper* bound seen so far, and stops training once that upper
bound relative to the lower confidence bound on ``J*`` is at most ``target``. The reference
barycenter is solved by the first call and reused by every later one.

Selecting the best of several intervals is a choice after looking: the kept interval's upper
bound is the smallest of several, so its level is no longer exactly ``confidence``. Certify the
kept generator once more with fresh draws (``final=True`` does) for a clean statement.

Only inputs of dimension 1 to 3 can be certified (the reference is solved on a grid).
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Optional, Sequence, TypeVar

import numpy as np
import torch
from torch import nn

from .samplers import Sampler, as_samplers

__all__ = ["CertifiedTracking", "numpy_sampler"]

NpSampler = Callable[[int, np.random.Generator], np.ndarray]
M = TypeVar("M", bound=nn.Module)


def numpy_sampler(source: Any) -> NpSampler:
    """``f(n, rng) -> (n, d)`` float64 draws of a generator or an input, as :func:`otbary.certify` takes.

    ``source`` is anything :func:`~otbary.neural.samplers.as_sampler` accepts; the torch draws are
    seeded from ``rng`` so that one seed gives the same draws.
    """
    if isinstance(source, nn.Module) and hasattr(source, "sample"):
        from .adaptation import generator_sampler

        return generator_sampler(source)  # type: ignore[arg-type]
    smp: Sampler = as_samplers([source], "source")[0]

    def from_sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        g = torch.Generator().manual_seed(int(rng.integers(2**62)))
        return np.asarray(smp(int(n), g).cpu().numpy(), dtype=np.float64)

    return from_sampler


class CertifiedTracking:
    r"""Training callback: certify every ``every`` steps, keep the best generator, stop at ``target``.

    Parameters
    ----------
    inputs : sequence
        The inputs :math:`\nu_k` as :func:`otbary.certify` takes them (samplers ``f(n, rng)`` or
        :class:`~otbary.Measure`), or anything :func:`~otbary.neural.samplers.as_sampler` accepts
        (converted by :func:`numpy_sampler`).
    weights : sequence of float
    every : int
        Certify after every ``every`` generator steps.
    target : float, optional
        Stop training once ``gap_upper / J*_lower <= target`` (e.g. ``0.05``: within 5% of the
        optimum, with the certificate's confidence).
    metric : str, default "euclidean"
    n_samples, n_repeats, resolution, confidence
        Passed to :func:`otbary.certify` (defaults: a few seconds per call in 2D).
    seed : int, default 0
        Seed of the first certification (later ones add the step).
    reference : SampledReference, optional
        A reference of this problem from an earlier :func:`otbary.certify` call
        (``res.info["reference"]``); by default the first certification solves one.

    Attributes
    ----------
    records : list of dict
        Per certification: ``step``, ``interval``, ``relative_interval``, ``gap``, ``dominant``.
    best_step : int or None
        The step whose generator had the smallest upper bound.
    best_state : dict or None
        That generator's ``state_dict`` (CPU tensors).
    stopped_at : int or None
        The step at which ``target`` was met.
    """

    def __init__(self, inputs: Sequence[Any], weights: Sequence[float], *, every: int,
                 target: Optional[float] = None, metric: str = "euclidean", n_samples: int = 20_000,
                 n_repeats: int = 4, resolution: Optional[int] = 32, confidence: float = 0.95,
                 seed: int = 0, reference: Any = None) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an int >= 1; got {every!r}")
        if target is not None and not (np.isfinite(target) and target > 0):
            raise ValueError(f"target must be a finite number > 0; got {target!r}")
        self.inputs = [m if _is_certifiable(m) else numpy_sampler(m) for m in inputs]
        self.weights = [float(v) for v in weights]
        self.every = every
        self.target = target
        self.metric = metric
        self.n_samples, self.n_repeats, self.resolution = int(n_samples), int(n_repeats), resolution
        self.confidence = float(confidence)
        self.seed = int(seed)
        self.reference: Any = reference
        self.records: list[dict[str, Any]] = []
        self.best_step: Optional[int] = None
        self.best_upper = float("inf")
        self.best_state: Optional[dict[str, torch.Tensor]] = None
        self.stopped_at: Optional[int] = None

    def certify(self, generator: nn.Module, step: int) -> dict[str, Any]:
        """Certify ``generator`` now; record it (and keep it if its upper bound is the best)."""
        from ..certify import certify

        res = certify(numpy_sampler(generator), self.inputs, self.weights, self.metric, seed=self.seed + step,
                      reference=self.reference, n_samples=self.n_samples, n_repeats=self.n_repeats,
                      resolution=self.resolution, confidence=self.confidence)
        self.reference = res.info["reference"]
        if res.interval is None or res.relative_interval is None:  # pragma: no cover - samplers only
            raise ValueError("certify returned no interval")
        rec: dict[str, Any] = {"step": int(step), "interval": [float(v) for v in res.interval],
               "relative_interval": [float(v) for v in res.relative_interval], "gap": float(res.gap),
               "relative_gap": float(res.relative_gap), "dominant": str(res.info["dominant"])}
        self.records.append(rec)
        if rec["interval"][1] < self.best_upper:
            self.best_upper = rec["interval"][1]
            self.best_step = int(step)
            self.best_state = {k: v.detach().cpu().clone() for k, v in generator.state_dict().items()}
        return rec

    def __call__(self, step: int, info: dict[str, Any]) -> Optional[bool]:
        if step % self.every:
            return None
        rec = self.certify(info["generator"], step)
        if self.target is not None and rec["relative_interval"][1] <= self.target:
            self.stopped_at = int(step)
            return False
        return None

    def restore(self, generator: M) -> M:
        """A copy of ``generator`` with the best generator's parameters."""
        out = copy.deepcopy(generator)
        if self.best_state is not None:
            out.load_state_dict(self.best_state)
        return out


def _is_certifiable(source: Any) -> bool:
    """A Measure, or a plain callable ``f(n, rng)``: :func:`otbary.certify` takes it as it is."""
    import inspect

    from ..measures import Measure

    if isinstance(source, Measure):
        return True
    if not callable(source) or isinstance(source, (nn.Module, Sampler)):
        return False
    try:
        params = inspect.signature(source).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
