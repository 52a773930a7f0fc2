"""Exact W1 distances and barycenters (LP, min-cost flow and closed forms)."""

from .barycenter import exact_barycenter
from .w1 import solve_w1, w1

__all__ = ["exact_barycenter", "solve_w1", "w1"]
