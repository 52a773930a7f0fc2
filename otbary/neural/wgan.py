r"""WGAN-GP building blocks: gradient penalty, losses, the critic step and its W1 estimate.

The critic ``f`` estimates the Kantorovich-Rubinstein dual (theory fact 1)

.. math:: W_1(\nu, \mu) = \max_{\mathrm{Lip}(f) \le 1} \mathbb E_\nu f - \mathbb E_\mu f,

with the Lipschitz constraint replaced by the gradient penalty of Gulrajani et al. (2017):

.. math:: \mathrm{GP} = \mathbb E_{\hat x} (\|\nabla f(\hat x)\|_2 - 1)^2, \quad
          \hat x = \varepsilon x_{\rm real} + (1 - \varepsilon) x_{\rm fake},\ \varepsilon \sim U[0, 1]

(one :math:`\varepsilon` per sample, the gradient norm taken over all non-batch dimensions).
The critic minimises :math:`\mathbb E f(\text{fake}) - \mathbb E f(\text{real}) + \lambda\,\mathrm{GP}`;
the generator minimises :math:`-\mathbb E f(\text{fake})`. The euclidean norm in the penalty
makes :math:`\mathbb E f(\text{real}) - \mathbb E f(\text{fake})` an estimate of W1 for the
**euclidean** ground metric (a lower bound when ``f`` is exactly 1-Lipschitz).

Stable API (H7's adaptation / ternarisation / centrality build on it):

* :class:`WGANConfig` -- ``lambda_gp=10``, ``n_critic=5``, ``lr=2e-4``, ``betas=(0.0, 0.9)``,
  ``batch_size=256``, ``critic_lr=1e-3``, ``one_sided=True``, ``ema_decay=0.995``,
  ``lr_schedule="constant"`` (chosen on the known-answer suite, docs/neural.md; the published
  WGAN-GP is the preset ``"published"``, :data:`PRESETS`);
* :func:`make_optimizer(params, config, critic=False)` -- Adam with the config's ``lr`` (or
  ``critic_lr`` when ``critic=True``) and ``betas``;
* :func:`gradient_penalty(critic, real, fake, generator=None, one_sided=False)` -- scalar tensor
  (differentiable);
* :func:`critic_loss(critic, real, fake, lambda_gp)` -- ``(loss, w1_estimate_tensor)``;
* :func:`generator_loss(critic, fake)` -- ``-mean f(fake)``;
* :func:`w1_estimate(critic, real, fake)` -- float ``mean f(real) - mean f(fake)``, no gradient;
* :func:`critic_step(critic, optimizer, real, fake, lambda_gp, generator=None, one_sided=False)` -- one
  Adam step
  on the critic; returns the W1 estimate (float) measured on that batch before the step.

The full training loop (one generator against K critics, checkpoints, NaN guard) is
:func:`otbary.neural.barycenter.train_generator`.

**Devices.** Everything here runs on the device of ``real`` (the critic must live there too);
``fake`` must be on the same device. The interpolation weights of the penalty are drawn on the
device of the ``generator`` passed in (a CPU ``torch.Generator`` in the training loop, so a
seeded run draws the same numbers on every device) and moved to ``real``'s device.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Optional

import torch
from torch import Tensor, nn

__all__ = [
    "WGANConfig", "PRESETS", "preset", "resolve_config", "make_optimizer", "gradient_penalty", "critic_loss",
    "generator_loss", "w1_estimate", "critic_step",
]


@dataclass(frozen=True)
class WGANConfig:
    r"""Hyper-parameters of WGAN-GP training.

    Attributes
    ----------
    lambda_gp : float, default 10
        Weight of the gradient penalty.
    n_critic : int, default 5
        Critic steps per generator step.
    lr : float, default 2e-4
        Adam learning rate of the generator (and of the critics when ``critic_lr`` is None).
    betas : tuple of float, default (0.0, 0.9)
        Adam betas.
    batch_size : int, default 256
        Samples per batch (real and fake).
    critic_lr : float or None, default 1e-3
        Learning rate of the critics (two time-scale updates); None: ``lr``.
    one_sided : bool, default True
        Penalise only gradient norms above 1, :math:`\max(0, \|\nabla f\| - 1)^2` (Petzka et
        al. 2018), instead of the two-sided WGAN-GP penalty. The two-sided penalty forbids the
        flat critic, the right answer when the generator already matches the input; the critic
        then keeps slope 1 in some direction and the generator drifts along it (past the optimum
        when one weight exceeds 1/2). The one-sided penalty lets the critic go flat.
    ema_decay : float, default 0.995
        When ``> 0``, the trained generator returned is the exponential moving average of the
        generator's parameters, :math:`\bar\theta_t = \beta_t \bar\theta_{t-1} + (1 - \beta_t)
        \theta_t` with :math:`\beta_t = \min(\beta, (1 + t) / (10 + t))`: the average damps the
        oscillation of adversarial training around the optimum.
    lr_schedule : {"constant", "cosine"}, default "constant"
        ``"cosine"`` anneals the generator's learning rate from ``lr`` to 0 over the run's
        ``steps``, :math:`\mathrm{lr}_t = \mathrm{lr}\,(1 + \cos(\pi t / T)) / 2`.
    """

    lambda_gp: float = 10.0
    n_critic: int = 5
    lr: float = 2e-4
    betas: tuple[float, float] = (0.0, 0.9)
    batch_size: int = 256
    critic_lr: Optional[float] = 1e-3
    one_sided: bool = True
    ema_decay: float = 0.995
    lr_schedule: str = "constant"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lambda_gp) and self.lambda_gp >= 0):
            raise ValueError(f"lambda_gp must be finite and >= 0; got {self.lambda_gp}")
        if isinstance(self.n_critic, bool) or not isinstance(self.n_critic, int) or self.n_critic < 1:
            raise ValueError(f"n_critic must be an int >= 1; got {self.n_critic!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be finite and > 0; got {self.lr}")
        b = tuple(self.betas)
        if len(b) != 2 or not all(0.0 <= float(v) < 1.0 for v in b):
            raise ValueError(f"betas must be two numbers in [0, 1); got {self.betas!r}")
        if self.critic_lr is not None and not (math.isfinite(self.critic_lr) and self.critic_lr > 0):
            raise ValueError(f"critic_lr must be finite and > 0; got {self.critic_lr}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 2:
            raise ValueError(f"batch_size must be an int >= 2; got {self.batch_size!r}")
        if not (0.0 <= float(self.ema_decay) < 1.0):
            raise ValueError(f"ema_decay must lie in [0, 1); got {self.ema_decay}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine'; got {self.lr_schedule!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain ``dict`` (floats, ints, a list) for checkpoints and reports."""
        d = asdict(self)
        d["betas"] = [float(v) for v in self.betas]
        return d


#: Named configurations. ``"published"``: WGAN-GP as Gulrajani et al. (2017) published it
#: (two-sided penalty, lambda 10, five critic steps, Adam 1e-4 with betas (0, 0.9), no averaging),
#: to reproduce its behaviour; ``"default"``: :class:`WGANConfig`'s defaults (docs/neural.md
#: compares the two on the known-answer suite).
PRESETS: dict[str, WGANConfig] = {
    "published": WGANConfig(lambda_gp=10.0, n_critic=5, lr=1e-4, betas=(0.0, 0.9), batch_size=256,
                            critic_lr=None, one_sided=False, ema_decay=0.0, lr_schedule="constant"),
    "default": WGANConfig(),
}


def preset(name: str) -> WGANConfig:
    """The configuration called ``name`` (a key of :data:`PRESETS`)."""
    if name not in PRESETS:
        raise ValueError(f"config must be a WGANConfig or one of {sorted(PRESETS)}; got {name!r}")
    return PRESETS[name]


def resolve_config(config: "Optional[WGANConfig | str]") -> WGANConfig:
    """``config`` itself, the preset it names, or the defaults when it is None."""
    if config is None:
        return WGANConfig()
    if isinstance(config, str):
        return preset(config)
    if not isinstance(config, WGANConfig):
        raise TypeError(f"config must be a WGANConfig or a preset name; got {type(config).__name__}")
    return config


def make_optimizer(params: Iterable[nn.Parameter], config: Optional[WGANConfig] = None,
                   critic: bool = False) -> torch.optim.Adam:
    """Adam with ``config.lr`` (``config.critic_lr`` for a critic if set) and ``config.betas``.

    Defaults: lr 1e-4, betas (0, 0.9).
    """
    cfg = resolve_config(config)
    lr = cfg.critic_lr if critic and cfg.critic_lr is not None else cfg.lr
    return torch.optim.Adam(params, lr=lr, betas=(float(cfg.betas[0]), float(cfg.betas[1])))


def _check_batches(real: Tensor, fake: Tensor) -> None:
    if not isinstance(real, Tensor) or not isinstance(fake, Tensor):
        raise TypeError(f"real and fake must be torch tensors; got {type(real).__name__}, "
                        f"{type(fake).__name__}")
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape; got {tuple(real.shape)} and "
                         f"{tuple(fake.shape)}")
    if real.ndim < 2 or real.shape[0] < 1:
        raise ValueError(f"real and fake must be batches of shape (B, ...); got {tuple(real.shape)}")


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor,
                     generator: Optional[torch.Generator] = None, one_sided: bool = False) -> Tensor:
    r"""Gradient penalty :math:`\frac1B \sum_i (\|\nabla_x f(\hat x_i)\|_2 - 1)^2`.

    :math:`\hat x_i = \varepsilon_i x^{\rm real}_i + (1 - \varepsilon_i) x^{\rm fake}_i` with one
    :math:`\varepsilon_i \sim U[0, 1]` per sample; the norm is taken per sample over all non-batch
    dimensions. The result is differentiable with respect to the critic's parameters
    (``create_graph=True``); ``fake`` is detached.

    Parameters
    ----------
    critic : nn.Module
        Maps ``(B, ...)`` to scores ``(B,)`` (or ``(B, 1)``).
    real, fake : Tensor
        Batches of the same shape ``(B, ...)``.
    generator : torch.Generator, optional
        Source of the interpolation weights (for reproducibility); drawn on its own device
        (e.g. a CPU generator for a CUDA critic) and moved to ``real``'s device.
    one_sided : bool, default False
        Use :math:`\max(0, \|\nabla f\|_2 - 1)^2` instead (see :class:`WGANConfig`).

    Returns
    -------
    Tensor
        Scalar penalty.
    """
    _check_batches(real, fake)
    b = real.shape[0]
    eps = torch.rand(b, *([1] * (real.ndim - 1)), generator=generator,
                     device=generator.device if generator is not None else real.device)
    eps = eps.to(device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1.0 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.reshape(b, -1).norm(2, dim=1)
    excess = (norms - 1.0).clamp(min=0.0) if one_sided else norms - 1.0
    return (excess**2).mean()


def critic_loss(critic: nn.Module, real: Tensor, fake: Tensor, lambda_gp: float = 10.0,
                generator: Optional[torch.Generator] = None,
                one_sided: bool = False) -> tuple[Tensor, Tensor]:
    r"""Critic loss :math:`\mathbb E f(\text{fake}) - \mathbb E f(\text{real}) + \lambda s\,\mathrm{GP}`.

    :math:`s` is the critic's ``scale`` (the standardisation of :class:`~otbary.neural.nets.MLPCritic`;
    1 for critics without one): the first two terms are in the inputs' units and the penalty is
    not, so weighing it by :math:`s` keeps their balance, and the whole loss is :math:`s` times
    the loss of the standardised problem (which Adam does not see): training is the same at
    every scale.

    Returns
    -------
    (loss, w1) : tuple of Tensor
        The loss (differentiable) and the detached W1 estimate
        :math:`\mathbb E f(\text{real}) - \mathbb E f(\text{fake})` on this batch.
    """
    _check_batches(real, fake)
    w1 = critic(real).mean() - critic(fake.detach()).mean()
    loss = -w1
    if lambda_gp:
        scale = getattr(critic, "scale", None)
        s = float(scale) if isinstance(scale, (Tensor, float, int)) else 1.0
        loss = loss + float(lambda_gp) * s * gradient_penalty(critic, real, fake, generator, one_sided)
    return loss, w1.detach()


def generator_loss(critic: nn.Module, fake: Tensor) -> Tensor:
    r"""Generator loss :math:`-\mathbb E f(\text{fake})` (differentiable through ``fake``)."""
    return -critic(fake).mean()


@torch.no_grad()
def w1_estimate(critic: nn.Module, real: Tensor, fake: Tensor) -> float:
    r"""The critic's W1 estimate :math:`\mathbb E f(\text{real}) - \mathbb E f(\text{fake})` (float)."""
    _check_batches(real, fake)
    return float(critic(real).mean() - critic(fake).mean())


def critic_step(critic: nn.Module, optimizer: torch.optim.Optimizer, real: Tensor, fake: Tensor,
                lambda_gp: float = 10.0, generator: Optional[torch.Generator] = None,
                one_sided: bool = False) -> float:
    """One optimiser step on :func:`critic_loss`; return the batch's W1 estimate (before the step).

    Raises
    ------
    FloatingPointError
        If the loss is not finite (the step is not taken).
    """
    loss, w1 = critic_loss(critic, real, fake, lambda_gp, generator, one_sided)
    if not torch.isfinite(loss):
        raise FloatingPointError(f"critic loss is not finite ({float(loss)})")
    # read the estimate now: on a GPU the finiteness check above has already waited for it, so
    # this costs no second synchronisation and the backward pass and the step run asynchronously
    estimate = float(w1)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return estimate
