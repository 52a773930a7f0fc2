"""Networks for WGAN-GP barycenters: MLP pairs for 1-3D toys, a small conv pair for 28x28 images.

Stable API (used by :mod:`otbary.neural.wgan`, :mod:`otbary.neural.barycenter` and the
adaptation / ternarisation / centrality modules):

Generators (:class:`MLPGenerator`, :class:`ConvGenerator`) subclass :class:`Generator`:

* ``gen.latent_dim`` (int) and ``gen.sample_shape`` (tuple, the shape of one sample:
  ``(dim,)`` for MLPs, ``(1, 28, 28)`` for the conv generator);
* ``gen(z)`` maps latent codes ``z`` of shape ``(B, latent_dim)`` to samples ``(B, *sample_shape)``;
* ``gen.sample_latent(n, generator=None)`` draws ``z ~ N(0, I)`` (optionally from a
  ``torch.Generator``), ``gen.sample(n, generator=None)`` returns ``gen(z)`` (with gradients:
  wrap it in ``torch.no_grad()`` for plain sampling).

Critics (:class:`MLPCritic`, :class:`ConvCritic`) map a batch ``(B, *sample_shape)`` to scores of
shape ``(B,)``. No batch normalisation anywhere: the gradient penalty is taken per sample, which
batch statistics would break (layer norm is used in the conv critic instead).

``build_pair(sample_shape, ...)`` returns a matching ``(generator, critic)`` for a sample shape.

``as_device(device)`` checks a ``device`` argument (a string such as ``"cpu"``, ``"cuda"``,
``"cuda:1"``, or a ``torch.device``) and returns the ``torch.device``; an unknown name or a
device this machine does not have raises ``ValueError`` naming the argument.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import torch
from torch import Tensor, nn

__all__ = [
    "Generator", "MLP", "MLPGenerator", "MLPCritic", "ConvGenerator", "ConvCritic", "build_pair",
    "count_parameters", "as_device", "DeviceLike",
]

#: A ``device`` argument: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``... or a ``torch.device``.
DeviceLike = Union[str, torch.device]


def as_device(device: DeviceLike, name: str = "device") -> torch.device:
    """Check a ``device`` argument and return it as a ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:<index>"``, ``"mps"``, ... (anything ``torch.device``
        parses) or a ``torch.device``.
    name : str, default "device"
        The argument's name, used in error messages.

    Returns
    -------
    torch.device

    Raises
    ------
    TypeError
        ``device`` is neither a string nor a ``torch.device``.
    ValueError
        Unknown device name, ``"meta"`` (holds no values), ``"cuda"`` when
        ``torch.cuda.is_available()`` is False, a CUDA index past ``torch.cuda.device_count()``,
        ``"mps"`` when MPS is not available, or any other device torch cannot allocate on here.
    """
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        try:
            dev = torch.device(device)
        except (RuntimeError, ValueError) as exc:
            raise ValueError(f"{name} must name a torch device such as 'cpu' or 'cuda'; "
                             f"got {device!r}") from exc
    else:
        raise TypeError(f"{name} must be a str or a torch.device; got {type(device).__name__}")
    if dev.type == "cpu":
        return dev
    if dev.type == "meta":
        raise ValueError(f"{name}={device!r}: meta tensors hold no values; use 'cpu' or 'cuda'")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            built = "built with CUDA" if torch.backends.cuda.is_built() else "a CPU-only build"
            raise ValueError(f"{name}={device!r}: CUDA is not available here (torch {torch.__version__}, "
                             f"{built}); use device='cpu'")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"{name}={device!r}: there are only {count} CUDA device(s)")
        return dev
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{name}={device!r}: MPS is not available here; use device='cpu'")
    try:
        torch.empty(1, device=dev)
    except (RuntimeError, AssertionError, ValueError) as exc:
        raise ValueError(f"{name}={device!r}: torch cannot use this device here ({exc})") from exc
    return dev


_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "elu": nn.ELU, "tanh": nn.Tanh,
}


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return value


def _hidden(hidden: Sequence[int], name: str = "hidden") -> tuple[int, ...]:
    try:
        h = tuple(hidden)
    except TypeError as exc:
        raise TypeError(f"{name} must be a sequence of ints; got {type(hidden).__name__}") from exc
    for i, v in enumerate(h):
        _positive_int(v, f"{name}[{i}]")
    return h


class MLP(nn.Module):
    """Fully connected net ``in_dim -> hidden... -> out_dim`` with an activation between layers.

    Parameters
    ----------
    in_dim, out_dim : int
        Input and output widths.
    hidden : sequence of int, default (128, 128, 128)
        Hidden widths.
    activation : {"relu", "leaky_relu", "elu", "tanh"}, default "relu"
        Non-linearity after each hidden layer (none after the last layer).
    """

    def __init__(self, in_dim: int, out_dim: int, hidden: Sequence[int] = (128, 128, 128),
                 activation: str = "relu") -> None:
        super().__init__()
        in_dim = _positive_int(in_dim, "in_dim")
        out_dim = _positive_int(out_dim, "out_dim")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
        widths = [in_dim, *_hidden(hidden), out_dim]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            layers.append(nn.Linear(a, b))
            if i < len(widths) - 2:
                layers.append(_ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class Generator(nn.Module):
    """Base class of the generators: ``latent_dim``, ``sample_shape``, ``sample_latent``, ``sample``."""

    latent_dim: int
    sample_shape: tuple[int, ...]

    def _device(self) -> torch.device:
        p = next(self.parameters(), None)
        return p.device if p is not None else torch.device("cpu")

    def sample_latent(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """Latent codes ``z ~ N(0, I_latent_dim)`` of shape ``(n, latent_dim)``."""
        n = _positive_int(n, "n")
        dev = generator.device if generator is not None else self._device()
        z = torch.randn(n, self.latent_dim, generator=generator, device=dev)
        return z.to(self._device())

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """``n`` samples ``G(z)``, ``z ~ N(0, I)``: shape ``(n, *sample_shape)`` (differentiable)."""
        return self(self.sample_latent(n, generator))


class MLPGenerator(Generator):
    """Generator ``G: R^latent_dim -> R^dim``, an :class:`MLP` with an affine output and a skip.

    ``G(z) = loc + scale * (z[:dim] + MLP(z))`` (``residual=True``, the default, needs
    ``latent_dim >= dim``) or ``loc + scale * MLP(z)``: ``loc`` and ``scale`` (buffers, defaults 0
    and 1) let the net work at unit scale while the data live elsewhere (set them to the data's
    mean and spread). With the skip an untrained generator already samples about
    ``N(loc, scale^2 I)``, which trains much faster than starting from a near point mass.

    Parameters
    ----------
    dim : int
        Dimension of the samples (1 to 3 for the toys; any ``>= 1`` works).
    latent_dim : int, optional
        Latent dimension; defaults to ``max(dim, 2)``.
    hidden, activation
        As in :class:`MLP`.
    loc, scale : float or sequence of float, default 0 and 1
        Output shift and scale (per coordinate or scalar).
    """

    loc: Tensor
    scale: Tensor

    def __init__(self, dim: int, latent_dim: Optional[int] = None, hidden: Sequence[int] = (128, 128, 128),
                 activation: str = "relu", loc: float | Sequence[float] = 0.0,
                 scale: float | Sequence[float] = 1.0, residual: bool = True) -> None:
        super().__init__()
        dim = _positive_int(dim, "dim")
        self.latent_dim = _positive_int(latent_dim, "latent_dim") if latent_dim is not None else max(dim, 2)
        if residual and self.latent_dim < dim:
            raise ValueError(f"residual=True needs latent_dim >= dim ({dim}); got {self.latent_dim}")
        self.residual = bool(residual)
        self.sample_shape = (dim,)
        self.net = MLP(self.latent_dim, dim, hidden, activation)
        loc_t = torch.as_tensor(loc, dtype=torch.float32).expand(dim).clone()
        scale_t = torch.as_tensor(scale, dtype=torch.float32).expand(dim).clone()
        if not torch.isfinite(loc_t).all() or not torch.isfinite(scale_t).all() or (scale_t <= 0).any():
            raise ValueError("loc must be finite and scale finite and > 0")
        self.register_buffer("loc", loc_t)
        self.register_buffer("scale", scale_t)

    def forward(self, z: Tensor) -> Tensor:
        h = self.net(z)
        if self.residual:
            h = h + z[:, : h.shape[1]]
        return self.loc + self.scale * h


class MLPCritic(nn.Module):
    """Critic ``f: R^dim -> R``, an :class:`MLP`; returns scores of shape ``(B,)``.

    ``f(x) = scale * net((x - loc) / scale)``: ``loc`` and ``scale`` (buffers) standardise the
    input, and the output is scaled back, so that ``grad_x f = grad net`` at the standardised
    point: the gradient penalty constrains the net in its own units whatever the inputs' scale,
    and the losses only scale by ``scale`` (which Adam does not see). With the generator
    standardised the same way, training at scale 0.01 or 100 is the same computation as at 1.
    """

    loc: Tensor
    scale: Tensor

    def __init__(self, dim: int, hidden: Sequence[int] = (128, 128, 128), activation: str = "relu",
                 loc: float | Sequence[float] = 0.0, scale: float = 1.0) -> None:
        super().__init__()
        dim = _positive_int(dim, "dim")
        self.dim = dim
        self.net = MLP(dim, 1, hidden, activation)
        loc_t = torch.as_tensor(loc, dtype=torch.float32).expand(dim).clone()
        if not torch.isfinite(loc_t).all() or not (float(scale) > 0 and float(scale) < float("inf")):
            raise ValueError("loc must be finite and scale finite and > 0")
        self.register_buffer("loc", loc_t)
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, x: Tensor) -> Tensor:
        return (self.scale * self.net((x - self.loc) / self.scale)).squeeze(-1)


class ConvGenerator(Generator):
    """DCGAN-style generator for ``1 x 28 x 28`` images with values in ``[0, 1]`` (sigmoid output).

    ``z (latent_dim) -> linear -> 2w x 7 x 7 -> upconv -> w x 14 x 14 -> upconv -> 1 x 28 x 28``.
    """

    def __init__(self, latent_dim: int = 32, width: int = 32) -> None:
        super().__init__()
        self.latent_dim = _positive_int(latent_dim, "latent_dim")
        w = _positive_int(width, "width")
        self.sample_shape = (1, 28, 28)
        self.width = w
        self.fc = nn.Sequential(nn.Linear(self.latent_dim, 2 * w * 7 * 7), nn.ReLU())
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(w, 1, 4, stride=2, padding=1), nn.Sigmoid(),
        )

    def forward(self, z: Tensor) -> Tensor:
        h = self.fc(z).view(-1, 2 * self.width, 7, 7)
        return self.deconv(h)


class ConvCritic(nn.Module):
    """Critic for ``1 x 28 x 28`` images: two strided convolutions (layer norm, leaky ReLU), a linear head."""

    def __init__(self, width: int = 32) -> None:
        super().__init__()
        w = _positive_int(width, "width")
        self.net = nn.Sequential(
            nn.Conv2d(1, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 4, stride=2, padding=1), nn.LayerNorm([2 * w, 7, 7]), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * w * 7 * 7, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(-1)


def build_pair(sample_shape: Sequence[int], *, latent_dim: Optional[int] = None,
               hidden: Sequence[int] = (128, 128, 128), width: int = 32,
               loc: float | Sequence[float] = 0.0, scale: float = 1.0) -> tuple[Generator, nn.Module]:
    """A matching ``(generator, critic)`` for samples of shape ``sample_shape``.

    ``(d,)`` with ``d >= 1`` gives an MLP pair (``loc``/``scale`` set on both); ``(1, 28, 28)``
    (or ``(28, 28)``) gives the conv pair. Anything else raises ``ValueError``.
    """
    shape = tuple(int(s) for s in sample_shape)
    if len(shape) == 1 and shape[0] >= 1:
        gen = MLPGenerator(shape[0], latent_dim=latent_dim, hidden=hidden, loc=loc, scale=scale)
        return gen, MLPCritic(shape[0], hidden=hidden, loc=loc, scale=scale)
    if shape in ((1, 28, 28), (28, 28)):
        if shape == (28, 28):
            raise ValueError("images must have a channel axis: use sample_shape (1, 28, 28)")
        return ConvGenerator(latent_dim or 32, width), ConvCritic(width)
    raise ValueError(f"sample_shape must be (d,) or (1, 28, 28); got {shape}")


def count_parameters(module: nn.Module) -> int:
    """Number of scalar parameters of ``module``."""
    return int(sum(p.numel() for p in module.parameters()))
