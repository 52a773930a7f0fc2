# ruff: noqa: E402  (the imports follow the check for torch, see below)
"""Neural W1 barycenters (WGAN-GP), checked against the exact answer. Needs torch.

``import otbary`` never imports this package (nor torch). ``import otbary.neural`` without torch
raises ``ImportError`` with the install hint ``pip install otbary[neural]``.

Modules: :mod:`~otbary.neural.nets` (generators and critics), :mod:`~otbary.neural.wgan`
(gradient penalty, losses, critic step), :mod:`~otbary.neural.samplers` (inputs as samplers),
:mod:`~otbary.neural.barycenter` (one generator against K critics, the recursive
configuration), :mod:`~otbary.neural.checkpoint` (safe checkpoints); built on them,
:mod:`~otbary.neural.adaptation` (fast adaptation to few local samples),
:mod:`~otbary.neural.ternary` (ternarised weights with a learnt threshold),
:mod:`~otbary.neural.centrality` (the medoid of several models under exact W1) and
:mod:`~otbary.neural.fusion` (KL-barycenter fusion by geometric mixtures), imported from
their modules.
"""

from __future__ import annotations

from ..extras import require

# before the submodules, which import torch themselves: without torch the hint, not a bare error
require("torch", "otbary.neural", "pip install otbary[neural] (or pip install torch)")

from .barycenter import (
    NeuralBarycenterResult,
    TrainingDivergedError,
    neural_barycenter,
    recursive_neural_barycenter,
    recursive_weights,
    train_generator,
)
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .nets import ConvCritic, ConvGenerator, Generator, MLPCritic, MLPGenerator, as_device, build_pair
from .samplers import Sampler, as_sampler, as_samplers, gaussian_sampler, synthetic_shapes
from .tracking import CertifiedTracking, numpy_sampler
from .wgan import PRESETS, WGANConfig, critic_step, gradient_penalty, preset, w1_estimate

__all__ = [
    "ConvCritic", "ConvGenerator", "Generator", "MLPCritic", "MLPGenerator", "as_device", "build_pair",
    "WGANConfig", "PRESETS", "preset", "critic_step", "gradient_penalty", "w1_estimate", "CertifiedTracking",
    "numpy_sampler",
    "NeuralBarycenterResult", "TrainingDivergedError", "neural_barycenter", "recursive_neural_barycenter",
    "recursive_weights", "train_generator", "CheckpointError", "load_checkpoint", "save_checkpoint",
    "Sampler", "as_sampler", "as_samplers", "gaussian_sampler", "synthetic_shapes",
]
