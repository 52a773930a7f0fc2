"""Certify a candidate barycenter against the exact optimum. In progress."""

from __future__ import annotations

from typing import Any

__all__ = ["certify"]


def certify(*args: Any, **kwargs: Any) -> Any:
    """How far a candidate barycenter is from optimal (not available yet)."""
    raise NotImplementedError("ob.certify is not available yet")
