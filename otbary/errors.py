"""Exceptions raised by otbary."""

from __future__ import annotations

__all__ = ["NotOptimalError", "SizeLimitError"]


class NotOptimalError(RuntimeError):
    """A solver stopped without a certified optimal answer.

    otbary never returns a non-optimal answer from an exact method silently: when the
    certified gap between the returned objective and the dual lower bound exceeds the
    tolerance, or the underlying LP solver reports a status other than optimal, this
    exception is raised and says why.
    """


class SizeLimitError(ValueError):
    """An exact method was asked for a problem beyond its documented size limit."""
