"""Inputs of the neural barycenter as samplers: callables, arrays of samples, measures, generators.

A :class:`Sampler` draws ``n`` samples as a float32 tensor of shape ``(n, *sample_shape)`` and
checks every draw (shape and finiteness), so a bad input fails at the first batch with a
message naming it, never as a NaN loss later. :func:`as_sampler` accepts

* a :class:`Sampler` (returned as is);
* a generator (an ``nn.Module`` with a ``sample(n)`` method, e.g. a pre-trained
  :class:`~otbary.neural.nets.MLPGenerator`): sampled under ``torch.no_grad()``;
* an array or tensor of samples, shape ``(N, *sample_shape)`` (``(N,)`` is read as ``N`` points
  on the line): resampled uniformly with replacement;
* an :class:`otbary.Measure`: its atoms drawn with their weights;
* a callable ``f(n)`` or ``f(n, rng)`` (``rng`` a ``numpy.random.Generator``) returning an
  array-like of shape ``(n, *sample_shape)``.

Sampling randomness comes from the ``torch.Generator`` passed to ``sampler(n, generator)``
(arrays, measures, generators) or from the sampler's own ``numpy`` generator (callables).
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from ..measures import Measure

__all__ = ["Sampler", "as_sampler", "as_samplers", "gaussian_sampler", "synthetic_shapes"]


class Sampler:
    """Draws checked batches ``(n, *sample_shape)`` (float32) from a source; see :func:`as_sampler`."""

    def __init__(self, draw: Callable[[int, Optional[torch.Generator]], Any], sample_shape: Sequence[int],
                 name: str = "sampler", kind: str = "callable") -> None:
        self._draw = draw
        self.sample_shape = tuple(int(s) for s in sample_shape)
        self.name = name
        self.kind = kind

    def __call__(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an int >= 1; got {n!r}")
        out = self._draw(n, generator)
        try:
            x = torch.as_tensor(np.asarray(out) if not isinstance(out, Tensor) else out)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{self.name}: the sampler returned {type(out).__name__}, not an array") from exc
        x = x.detach().to(torch.float32)
        if x.ndim == 1 and self.sample_shape == (1,):
            x = x[:, None]
        if tuple(x.shape) != (n, *self.sample_shape):
            raise ValueError(f"{self.name}: asked for {n} samples of shape {self.sample_shape}, the sampler "
                             f"returned shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError(f"{self.name}: the sampler returned NaN or infinite values")
        return x

    def __repr__(self) -> str:
        return f"Sampler({self.name}, kind={self.kind}, sample_shape={self.sample_shape})"


def _n_params(fn: Callable[..., Any]) -> int:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    pos = [p for p in sig.parameters.values()
           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    if any(p.kind == p.VAR_POSITIONAL for p in pos):
        return 2
    return len(pos)


def as_sampler(source: Any, name: str = "sampler", sample_shape: Optional[Sequence[int]] = None,
               seed: Optional[int] = None) -> Sampler:
    """Wrap ``source`` (see the module doc) as a checked :class:`Sampler`.

    Parameters
    ----------
    source : Sampler, generator module, array, tensor, Measure or callable
        The input distribution.
    name : str
        Used in error messages (e.g. ``"measures[2]"``).
    sample_shape : sequence of int, optional
        Expected shape of one sample. Inferred from arrays, measures and generators; for a
        callable, inferred from a probe draw of 2 samples when not given.
    seed : int, optional
        Seed of the numpy generator handed to two-argument callables.

    Raises
    ------
    TypeError
        ``source`` is none of the accepted kinds.
    ValueError
        Empty or non-finite arrays, a shape mismatch with ``sample_shape``, a callable whose
        probe draw is malformed.
    """
    want = None if sample_shape is None else tuple(int(s) for s in sample_shape)

    def _agree(shape: tuple[int, ...]) -> tuple[int, ...]:
        if want is not None and shape != want:
            raise ValueError(f"{name}: samples have shape {shape}, expected {want}")
        return shape

    if isinstance(source, Sampler):
        _agree(source.sample_shape)
        return source
    if isinstance(source, nn.Module):
        if not callable(getattr(source, "sample", None)):
            raise TypeError(f"{name}: a module input must be a generator with a sample(n) method")
        sample_fn: Callable[..., Any] = source.sample  # type: ignore[assignment]
        two_args = _n_params(sample_fn) >= 2
        shape = getattr(source, "sample_shape", None)
        if shape is None:
            with torch.no_grad():
                shape = tuple(np.shape(sample_fn(2))[1:])

        def draw_gen(n: int, g: Optional[torch.Generator]) -> Any:
            with torch.no_grad():
                return sample_fn(n, g) if two_args else sample_fn(n)

        return Sampler(draw_gen, _agree(tuple(shape)), name, "generator")
    if isinstance(source, Measure):
        pts = torch.tensor(np.array(source.points, dtype=np.float32))
        w = torch.tensor(np.array(source.weights, dtype=np.float64))

        def draw_measure(n: int, g: Optional[torch.Generator]) -> Tensor:
            idx = torch.multinomial(w, n, replacement=True, generator=g)
            return pts[idx]

        return Sampler(draw_measure, _agree((source.dim,)), name, "measure")
    if isinstance(source, (np.ndarray, Tensor, list, tuple)):
        try:
            arr = torch.as_tensor(np.asarray(source, dtype=np.float32) if not isinstance(source, Tensor)
                                  else source.detach()).to(torch.float32)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: could not read the samples as a float array") from exc
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim < 2 or arr.shape[0] == 0:
            raise ValueError(f"{name}: an array of samples must have shape (N, ...) with N >= 1; "
                             f"got {tuple(arr.shape)}")
        if not torch.isfinite(arr).all():
            raise ValueError(f"{name}: the samples contain NaN or infinite values")

        def draw_array(n: int, g: Optional[torch.Generator]) -> Tensor:
            return arr[torch.randint(arr.shape[0], (n,), generator=g)]

        return Sampler(draw_array, _agree(tuple(arr.shape[1:])), name, "array")
    if callable(source):
        fn = source
        rng = np.random.default_rng(seed)
        two = _n_params(fn) >= 2

        def draw_fn(n: int, g: Optional[torch.Generator]) -> Any:
            return fn(n, rng) if two else fn(n)

        if want is None:
            probe = Sampler(draw_fn, (), name)._draw(2, None)
            try:
                shp = tuple(np.shape(probe.detach().numpy() if isinstance(probe, Tensor) else probe))
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{name}: the sampler returned {type(probe).__name__}, not an array") from exc
            if len(shp) == 0 or shp[0] != 2:
                raise ValueError(f"{name}: asked for 2 samples, the sampler returned shape {shp}")
            shape = shp[1:] or (1,)
        else:
            shape = want
        return Sampler(draw_fn, shape, name, "callable")
    raise TypeError(f"{name}: expected a sampler callable, an array of samples, a Measure or a generator; "
                    f"got {type(source).__name__}")


def as_samplers(sources: Sequence[Any], name: str = "measures", seed: Optional[int] = None) -> list[Sampler]:
    """:func:`as_sampler` on each input; all must share one sample shape (``ValueError`` otherwise)."""
    if isinstance(sources, (np.ndarray, Tensor, Measure)) or callable(sources):
        raise TypeError(f"{name} must be a sequence of inputs (one per measure), not a single input")
    srcs = list(sources)
    if not srcs:
        raise ValueError(f"{name} is empty")
    out = [as_sampler(s, f"{name}[{k}]", seed=None if seed is None else seed + k) for k, s in enumerate(srcs)]
    shapes = {s.sample_shape for s in out}
    if len(shapes) > 1:
        raise ValueError(f"{name}: all inputs must have one sample shape; got "
                         f"{[s.sample_shape for s in out]}")
    return out


def gaussian_sampler(mean: Sequence[float], sigma: float | Sequence[Sequence[float]] = 1.0,
                     name: str = "gaussian") -> Sampler:
    """Sampler of ``N(mean, sigma^2 I)`` (``sigma`` a float) or ``N(mean, Sigma)`` (a matrix)."""
    m = torch.as_tensor(np.asarray(mean, dtype=np.float32)).reshape(-1)
    if not torch.isfinite(m).all():
        raise ValueError("mean must be finite")
    d = m.shape[0]
    s = np.asarray(sigma, dtype=np.float64)
    if s.ndim == 0:
        if not (math.isfinite(float(s)) and float(s) > 0):
            raise ValueError(f"sigma must be finite and > 0; got {float(s)}")
        chol = torch.eye(d) * float(s)
    else:
        if s.shape != (d, d):
            raise ValueError(f"sigma must be a float or a ({d}, {d}) matrix; got shape {s.shape}")
        try:
            chol = torch.as_tensor(np.linalg.cholesky(s), dtype=torch.float32)
        except np.linalg.LinAlgError as exc:
            raise ValueError("sigma must be symmetric positive definite") from exc

    def draw(n: int, g: Optional[torch.Generator]) -> Tensor:
        return m + torch.randn(n, d, generator=g) @ chol.T

    return Sampler(draw, (d,), name, "gaussian")


def synthetic_shapes(n: int, seed: Optional[int] = None, kind: str = "mixed") -> np.ndarray:
    """``n`` synthetic ``1 x 28 x 28`` images in ``[0, 1]``: discs, squares and bars, random size/place.

    Parameters
    ----------
    n : int
        Number of images.
    seed : int, optional
        Seed of the numpy generator.
    kind : {"mixed", "disc", "square", "bar"}
        Shape family.

    Returns
    -------
    ndarray, shape (n, 1, 28, 28), float32
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1; got {n!r}")
    kinds = ("disc", "square", "bar")
    if kind != "mixed" and kind not in kinds:
        raise ValueError(f"kind must be 'mixed' or one of {kinds}; got {kind!r}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)
    out = np.zeros((n, 1, 28, 28), dtype=np.float32)
    for i in range(n):
        k = kind if kind != "mixed" else kinds[int(rng.integers(3))]
        cy, cx = rng.uniform(9, 19, size=2)
        r = rng.uniform(4, 8)
        if k == "disc":
            img = np.clip(r - np.hypot(yy - cy, xx - cx) + 0.5, 0, 1)
        elif k == "square":
            img = np.clip(r - np.maximum(np.abs(yy - cy), np.abs(xx - cx)) + 0.5, 0, 1)
        else:
            img = np.clip(np.minimum(2.5 - np.abs(yy - cy), r + 3 - np.abs(xx - cx)) + 0.5, 0, 1)
        out[i, 0] = img
    return out
