"""Entropic W1: log-domain Sinkhorn, separable grid kernels, debiased barycenters.

* :mod:`~otbary.entropic.kernels`: log-domain Gibbs kernels (dense; separable on grids
  with the cityblock metric, ``O(N)`` memory);
* :mod:`~otbary.entropic.sinkhorn`: :func:`sinkhorn_w1`, :func:`sinkhorn_divergence`;
* :mod:`~otbary.entropic.barycenter`: :func:`entropic_barycenter` (iterative Bregman
  projections, optionally debiased), reached by ``ob.barycenter(..., method="entropic")``;
* :mod:`~otbary.entropic.options`: argument checks, eps-scaling, the iteration-cap policy.
"""

from __future__ import annotations

from .barycenter import entropic_barycenter
from .sinkhorn import sinkhorn_divergence, sinkhorn_w1

__all__ = ["sinkhorn_w1", "sinkhorn_divergence", "entropic_barycenter"]
