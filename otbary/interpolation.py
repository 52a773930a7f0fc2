"""Displacement interpolation and the recursive pairwise barycenter (DESIGN fact 7). In progress."""

from __future__ import annotations

from typing import Any

__all__ = ["interpolate", "geodesic", "recursive_barycenter"]


def interpolate(*args: Any, **kwargs: Any) -> Any:
    """Displacement interpolation (not available yet)."""
    raise NotImplementedError("ob.interpolate is not available yet")


def geodesic(*args: Any, **kwargs: Any) -> Any:
    """A whole displacement geodesic (not available yet)."""
    raise NotImplementedError("ob.geodesic is not available yet")


def recursive_barycenter(*args: Any, **kwargs: Any) -> Any:
    """The recursive pairwise barycenter (not available yet)."""
    raise NotImplementedError("ob.recursive_barycenter is not available yet")
