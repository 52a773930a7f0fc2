"""Wasserstein-ball constrained problems (DESIGN fact 10). In progress."""

from __future__ import annotations

from typing import Any

__all__ = ["ball_problem"]


def ball_problem(*args: Any, **kwargs: Any) -> Any:
    """Minimise W1(mu, target) subject to W1(mu, nu_k) <= eta_k (not available yet)."""
    raise NotImplementedError("ob.ball_problem is not available yet")
