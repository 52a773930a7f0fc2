"""Optional dependencies: import one, or fail with a one-line install hint.

torch (``otbary.neural``), cvxpy (``otbary.cvx``) and hypothesis (``otbary.testing.strategies``)
are extras; a plain ``pip install otbary`` works without them, and the module that needs one
says how to install it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(module: str, user: str, hint: str) -> ModuleType:
    """Import ``module`` for ``user``; without it, ``ImportError("{user} needs {module} ...: {hint}")``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{user} needs {module}, which is not installed: {hint}") from exc
