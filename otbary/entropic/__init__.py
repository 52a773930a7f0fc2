"""Entropic W1: log-domain Sinkhorn, separable grid kernels, debiased barycenters. In progress."""

from __future__ import annotations

from typing import Any

__all__ = ["sinkhorn_w1", "sinkhorn_divergence", "entropic_barycenter"]


def sinkhorn_w1(*args: Any, **kwargs: Any) -> Any:
    """Entropic W1 between two measures (not available yet)."""
    raise NotImplementedError("ob.sinkhorn_w1 is not available yet")


def sinkhorn_divergence(*args: Any, **kwargs: Any) -> Any:
    """Debiased Sinkhorn divergence (not available yet)."""
    raise NotImplementedError("ob.sinkhorn_divergence is not available yet")


def entropic_barycenter(*args: Any, **kwargs: Any) -> Any:
    """Entropic barycenter (not available yet)."""
    raise NotImplementedError("entropic barycenter is not available yet")
