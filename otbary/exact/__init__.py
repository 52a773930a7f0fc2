"""Exact W1 distances and barycenters (LP, min-cost flow and closed forms)."""

from .barycenter import barycenter
from .w1 import solve_w1, w1

__all__ = ["barycenter", "solve_w1", "w1"]
