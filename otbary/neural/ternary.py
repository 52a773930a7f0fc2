r"""Ternary weights: every weight matrix in ``{-a, 0, +a}`` with a learnt threshold, trained by STE.

Each ternarised layer keeps a latent full-precision weight ``W`` and two learnt scalars, the
scale ``a > 0`` and the threshold ``Delta > 0`` (stored as logarithms). The forward pass uses

.. math::

    Q(W)_{ij} = a \, \operatorname{sign}(W_{ij}) \, \mathbf 1[|W_{ij}| > \Delta] \in \{-a, 0, +a\},

initialised as in ternary weight networks (Li et al., 2016): ``Delta_0 = r * mean|W|``
(``r = 0.7``) and ``a_0 = mean{|W_ij| : |W_ij| > Delta_0}``. The backward pass is a
straight-through estimator:

.. math::

    \frac{\partial Q}{\partial W} := 1, \qquad
    \frac{\partial Q}{\partial a} = \operatorname{sign}(W)\,\mathbf 1[|W| > \Delta], \qquad
    \frac{\partial Q}{\partial \Delta} := a \operatorname{sign}(W)\,
        \frac{\partial}{\partial \Delta} \sigma\!\Big(\frac{|W| - \Delta}{\tau}\Big),

i.e. the hard mask's gradient with respect to the threshold is that of a sigmoid of width
``tau`` (``temperature * mean|W_0|``), so ``Delta`` is optimised jointly with the weights by the
same loss (for a generator, the WGAN loss: :func:`finetune_ternary`).

Size: a ternary layer stores 2-bit codes plus one 32-bit float ``a`` (``Delta`` is only needed
for training); every other parameter (biases, non-ternarised layers) stays 32-bit.
:func:`model_size` counts both, :func:`pack_ternary` produces the actual packed bytes
(four codes per byte).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn
from torch.nn.utils import parametrize

__all__ = [
    "TernaryWeight", "ModelSize", "TernaryLayer", "PackedLayer", "ternarize", "is_ternarized",
    "ternary_layers", "ternary_summary", "model_size", "pack_ternary", "unpack_ternary", "freeze_ternary",
    "TernaryFinetuneResult", "finetune_ternary",
]

#: Bits of a full-precision parameter.
FLOAT_BITS = 32
#: Bits of one ternary code.
CODE_BITS = 2


class TernaryWeight(nn.Module):
    r"""Parametrisation ``W -> a sign(W) 1[|W| > Delta]`` with learnable ``a`` and ``Delta`` (STE).

    Register it on a module's ``weight`` with :func:`torch.nn.utils.parametrize.register_parametrization`
    (what :func:`ternarize` does); the latent float weight then lives at
    ``module.parametrizations.weight.original`` and ``module.weight`` is ternary.

    Parameters
    ----------
    weight : Tensor
        The float weight the layer starts from (sets the initial ``a``, ``Delta`` and ``tau``).
    threshold_ratio : float, default 0.7
        ``Delta_0 = threshold_ratio * mean|W|`` (the TWN rule). Must be > 0.
    temperature : float, default 0.1
        Width of the sigmoid surrogate behind the threshold's gradient, relative to ``mean|W|``.
    """

    def __init__(self, weight: Tensor, threshold_ratio: float = 0.7, temperature: float = 0.1) -> None:
        super().__init__()
        if not (isinstance(threshold_ratio, (int, float)) and math.isfinite(threshold_ratio)
                and threshold_ratio > 0):
            raise ValueError(f"threshold_ratio must be a finite number > 0; got {threshold_ratio!r}")
        if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be a finite number > 0; got {temperature!r}")
        w = weight.detach().abs().float()
        if not torch.isfinite(w).all():
            raise ValueError("weight contains NaN or infinite entries")
        m = float(w.mean())
        if m <= 0:
            raise ValueError("weight is all zeros: nothing to ternarise")
        delta = threshold_ratio * m
        above = w[w > delta]
        a = float(above.mean()) if above.numel() else m
        self.log_scale = nn.Parameter(torch.tensor(math.log(a), dtype=weight.dtype))
        self.log_threshold = nn.Parameter(torch.tensor(math.log(delta), dtype=weight.dtype))
        self.tau: Tensor
        self.register_buffer("tau", torch.tensor(temperature * m, dtype=weight.dtype))

    @property
    def scale(self) -> Tensor:
        """``a = exp(log_scale)``."""
        return self.log_scale.exp()

    @property
    def threshold(self) -> Tensor:
        """``Delta = exp(log_threshold)``."""
        return self.log_threshold.exp()

    def codes(self, w: Tensor) -> Tensor:
        """Ternary codes ``sign(W) 1[|W| > Delta]`` in ``{-1, 0, 1}`` (int8, no gradient)."""
        with torch.no_grad():
            return (torch.sign(w) * (w.abs() > self.threshold)).to(torch.int8)

    def forward(self, w: Tensor) -> Tensor:
        a = self.scale
        delta = self.threshold
        sgn = torch.sign(w).detach()
        hard = (sgn * (w.detach().abs() > delta.detach())).to(w.dtype)
        soft = sgn * torch.sigmoid((w.detach().abs() - delta) / self.tau)
        # value: a * hard; gradients: identity to w (STE), hard to a, the sigmoid surrogate to delta
        return a * hard + (w - w.detach()) + a.detach() * (soft - soft.detach())


@dataclass(frozen=True)
class TernaryLayer:
    """One ternarised weight: its name, the learnt ``a`` and ``Delta``, and its code statistics."""

    name: str
    shape: tuple[int, ...]
    scale: float
    threshold: float
    n_weights: int
    zero_fraction: float
    values: tuple[float, ...]


@dataclass(frozen=True)
class ModelSize:
    """Storage of a model before and after ternarisation.

    Attributes
    ----------
    float_bits : int
        All weights and biases as 32-bit floats (the model before ternarisation; the
        ternarisation's own ``a``/``Delta`` scalars are not counted).
    ternary_bits : int
        2 bits per ternary weight + 32 bits per ternary layer (its ``a``) + 32 bits per other
        parameter.
    n_ternary : int
        Weights stored as 2-bit codes.
    n_float : int
        Parameters kept at 32 bits.
    n_layers : int
        Ternarised layers.
    """

    float_bits: int
    ternary_bits: int
    n_ternary: int
    n_float: int
    n_layers: int

    @property
    def ratio(self) -> float:
        """``float_bits / ternary_bits``, the compression factor."""
        return self.float_bits / self.ternary_bits

    @property
    def float_bytes(self) -> float:
        return self.float_bits / 8

    @property
    def ternary_bytes(self) -> float:
        return self.ternary_bits / 8


def _plist(mod: nn.Module) -> Any:
    """``mod.parametrizations`` (a ``ModuleDict`` of parametrisation lists), untyped for mypy."""
    return mod.parametrizations


def _weight(mod: nn.Module) -> Tensor:
    w = mod.weight
    assert isinstance(w, Tensor)
    return w


def _weight_modules(model: nn.Module, exclude: Sequence[str]) -> list[tuple[str, nn.Module]]:
    out = []
    for name, mod in model.named_modules():
        if any(name == e or name.startswith(e + ".") for e in exclude):
            continue
        if parametrize.is_parametrized(mod, "weight"):
            continue
        w = getattr(mod, "weight", None)
        if isinstance(w, nn.Parameter) and w.ndim >= 2 and w.numel() > 0:
            out.append((name, mod))
    return out


def ternarize(model: nn.Module, *, threshold_ratio: float = 0.7, temperature: float = 0.1,
              exclude: Sequence[str] = (), inplace: bool = False) -> nn.Module:
    """Ternarise every weight matrix / kernel of ``model`` (a :class:`TernaryWeight` on each ``weight``).

    Every submodule whose ``weight`` parameter has two or more dimensions (``Linear``,
    ``Conv*``, ``ConvTranspose*``) gets the parametrisation; biases, norms and buffers stay in
    full precision. The result's forward pass uses weights in ``{-a_l, 0, +a_l}`` per layer ``l``
    and trains with straight-through gradients (latent weights, ``a_l`` and ``Delta_l`` all learnt).

    Parameters
    ----------
    model : nn.Module
        A trained network (for instance a generator from :mod:`otbary.neural.nets`).
    threshold_ratio, temperature : float
        See :class:`TernaryWeight`.
    exclude : sequence of str
        Submodule names (as in ``model.named_modules()``) left in full precision, with their
        children.
    inplace : bool, default False
        Modify ``model`` instead of a deep copy.

    Returns
    -------
    nn.Module
        The ternarised model (``model`` itself when ``inplace``).

    Raises
    ------
    TypeError
        ``model`` is not an ``nn.Module``.
    ValueError
        No weight to ternarise, or a layer that is already ternarised throughout.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if isinstance(exclude, str):
        exclude = (exclude,)
    out = model if inplace else copy.deepcopy(model)
    mods = _weight_modules(out, exclude)
    if not mods:
        raise ValueError("model has no (non-excluded, not yet ternarised) weight matrix to ternarise")
    for _, mod in mods:
        w = _weight(mod)
        parametrize.register_parametrization(
            mod, "weight", TernaryWeight(w, threshold_ratio=threshold_ratio, temperature=temperature))
    return out


def _param(mod: nn.Module) -> TernaryWeight:
    for p in _plist(mod)["weight"]:
        if isinstance(p, TernaryWeight):
            return p
    raise ValueError("module has no TernaryWeight parametrisation")  # pragma: no cover


def ternary_layers(model: nn.Module) -> list[tuple[str, nn.Module, TernaryWeight]]:
    """``(name, module, parametrisation)`` for every ternarised weight of ``model``."""
    out = []
    for name, mod in model.named_modules():
        if parametrize.is_parametrized(mod, "weight") and any(
                isinstance(p, TernaryWeight) for p in _plist(mod)["weight"]):
            out.append((name, mod, _param(mod)))
    return out


def is_ternarized(model: nn.Module) -> bool:
    """``True`` when ``model`` has at least one ternarised weight."""
    return bool(ternary_layers(model))


def ternary_summary(model: nn.Module) -> list[TernaryLayer]:
    """Per ternarised layer: ``a``, ``Delta``, the fraction of zero codes and the distinct values used."""
    out = []
    with torch.no_grad():
        for name, mod, p in ternary_layers(model):
            w = _weight(mod)
            vals = tuple(sorted({float(v) for v in torch.unique(w).tolist()}))
            out.append(TernaryLayer(
                name=name, shape=tuple(w.shape), scale=float(p.scale.detach()),
                threshold=float(p.threshold.detach()),
                n_weights=int(w.numel()), zero_fraction=float((w == 0).float().mean()), values=vals))
    return out


def model_size(model: nn.Module) -> ModelSize:
    """Bits to store ``model`` at 32-bit floats and with its ternarised layers as 2-bit codes.

    For a model without ternarised layers both counts are the 32-bit size.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    tern = ternary_layers(model)
    latent = {id(_plist(mod)["weight"].original) for _, mod, _ in tern}
    scalars = {id(q) for _, _, p in tern for q in p.parameters()}
    n_tern = n_other = 0
    for q in model.parameters():
        if id(q) in latent:
            n_tern += int(q.numel())
        elif id(q) not in scalars:
            n_other += int(q.numel())
    float_bits = FLOAT_BITS * (n_tern + n_other)
    ternary_bits = CODE_BITS * n_tern + FLOAT_BITS * len(tern) + FLOAT_BITS * n_other
    return ModelSize(float_bits=float_bits, ternary_bits=ternary_bits, n_ternary=n_tern, n_float=n_other,
                     n_layers=len(tern))


@dataclass(frozen=True)
class PackedLayer:
    """A ternary weight packed four codes per byte (``0 -> 0``, ``+1 -> 1``, ``-1 -> 2``)."""

    shape: tuple[int, ...]
    scale: float
    data: bytes
    info: dict[str, Any] = field(default_factory=dict)


def pack_ternary(model: nn.Module) -> dict[str, PackedLayer]:
    """The ternarised weights of ``model`` as packed 2-bit codes plus one float ``a`` per layer."""
    out = {}
    for name, mod, p in ternary_layers(model):
        latent = _plist(mod)["weight"].original
        codes = p.codes(latent).cpu().numpy().astype(np.int8).ravel()
        u = np.where(codes < 0, 2, codes).astype(np.uint8)
        pad = (-u.size) % 4
        u = np.concatenate([u, np.zeros(pad, dtype=np.uint8)]).reshape(-1, 4)
        packed = (u[:, 0] | (u[:, 1] << 2) | (u[:, 2] << 4) | (u[:, 3] << 6)).astype(np.uint8)
        out[name] = PackedLayer(shape=tuple(latent.shape), scale=float(p.scale.detach()),
                                data=packed.tobytes())
    return out


def unpack_ternary(layer: PackedLayer) -> NDArray[np.float64]:
    """The weight ``a * codes`` of a :class:`PackedLayer` as a float array of its shape."""
    b = np.frombuffer(layer.data, dtype=np.uint8)
    u = np.stack([(b >> s) & 3 for s in (0, 2, 4, 6)], axis=1).ravel()
    n = int(np.prod(layer.shape))
    if u.size < n:
        raise ValueError(f"layer data holds {u.size} codes; shape {layer.shape} needs {n}")
    codes = np.where(u[:n] == 2, -1, u[:n].astype(np.int8)).astype(float)
    return (layer.scale * codes).reshape(layer.shape)


def freeze_ternary(model: nn.Module, *, inplace: bool = False) -> nn.Module:
    """Replace each ternary parametrisation by its current value: plain layers with weights in ``{-a, 0, a}``.

    The result trains no further as a ternary model, but samples without the parametrisation's
    overhead (deployment).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    out = model if inplace else copy.deepcopy(model)
    for name, mod, _ in ternary_layers(out):
        plist = _plist(mod)
        if set(plist.keys()) != {"weight"} or len(plist["weight"]) != 1:
            raise ValueError(f"layer {name!r} carries other parametrisations than the ternary weight")
        with torch.no_grad():
            w = _weight(mod).detach().clone()
        # undo the parametrisation on this instance only: a deep copy shares the parametrised class
        # with the original, so torch's remove_parametrizations (which edits the class) is not used
        del mod._modules["parametrizations"]
        mod.__class__ = type(mod).__bases__[0]
        mod.register_parameter("weight", nn.Parameter(w))
    return out


@dataclass
class TernaryFinetuneResult:
    """A ternarised generator fine-tuned with the WGAN loss.

    Attributes
    ----------
    generator : nn.Module
        The ternarised generator (weights in ``{-a_l, 0, a_l}`` per layer; still trainable).
    size : ModelSize
        Storage before (``float_bits``) and after (``ternary_bits``).
    layers : list of TernaryLayer
        Per-layer ``a``, ``Delta`` and fraction of zeros after fine-tuning.
    training : NeuralBarycenterResult or None
        The fine-tuning run (``None`` when ``steps == 0``).
    """

    generator: nn.Module
    size: ModelSize
    layers: list[TernaryLayer]
    training: Optional[Any] = None


def finetune_ternary(
    generator: nn.Module,
    targets: Optional[Sequence[Any]] = None,
    weights: Optional[Sequence[float]] = None,
    *,
    steps: int = 200,
    config: Optional[Any] = None,
    critics: Optional[Sequence[nn.Module]] = None,
    threshold_ratio: float = 0.7,
    temperature: float = 0.1,
    exclude: Sequence[str] = (),
    seed: Optional[int] = 0,
    progress: bool = False,
) -> TernaryFinetuneResult:
    r"""Ternarise a trained generator and fine-tune it with the WGAN loss (straight-through gradients).

    The ternarised copy (:func:`ternarize`) is trained by
    :func:`otbary.neural.barycenter.train_generator` on
    :math:`\sum_k \lambda_k W_1(G^{\rm tern}_\# N(0, I), \nu_k)`: the latent weights, each
    layer's ``a`` and its threshold ``Delta`` are optimised jointly.

    Parameters
    ----------
    generator : Generator
        The trained full-precision generator (not modified).
    targets : sequence, optional
        The inputs :math:`\nu_k` of the original problem (samplers, arrays, measures,
        generators). Default: ``[generator]`` itself, i.e. distil the float model into its
        ternary copy.
    weights : sequence of float, optional
        :math:`\lambda_k`; uniform by default.
    steps : int, default 200
        Fine-tuning generator steps (0: ternarise only).
    config : WGANConfig, optional
    critics : sequence of nn.Module, optional
        Critics to continue from (e.g. the barycenter run's); fresh ones by default.
    threshold_ratio, temperature, exclude
        As in :func:`ternarize`.
    seed : int, optional
    progress : bool

    Returns
    -------
    TernaryFinetuneResult
    """
    from .barycenter import train_generator  # noqa: PLC0415  (avoid an import cycle at module load)
    from .nets import Generator, MLPGenerator, build_pair  # noqa: PLC0415

    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an otbary.neural Generator; got {type(generator).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0; got {steps!r}")
    if targets is None:
        frozen = copy.deepcopy(generator).eval()
        for q in frozen.parameters():
            q.requires_grad_(False)
        targets = [frozen]
    tern = ternarize(generator, threshold_ratio=threshold_ratio, temperature=temperature, exclude=exclude)
    assert isinstance(tern, Generator)
    training = None
    if steps > 0:
        if critics is None:
            with torch.random.fork_rng(devices=[]):
                if seed is not None:
                    torch.manual_seed(int(seed))
                if isinstance(generator, MLPGenerator):
                    crit = [build_pair(generator.sample_shape, loc=generator.loc.tolist(),
                                       scale=float(generator.scale.mean()))[1] for _ in targets]
                else:
                    crit = [build_pair(generator.sample_shape)[1] for _ in targets]
        else:
            crit = list(critics)
        training = train_generator(tern, targets, weights, crit, steps=steps, config=config, seed=seed,
                                   progress=progress, desc="ternary fine-tuning")
    return TernaryFinetuneResult(generator=tern, size=model_size(tern), layers=ternary_summary(tern),
                                 training=training)
