"""Example budgets of hypothesis tests, stated for the ``ci`` profile and scaled with the loaded one.

A test that needs fewer examples than the profile's default (its examples are slow) asks for
``examples(n)``: ``n`` under ``ci``, twenty times as many under ``thorough``. A hard-coded
``max_examples`` would override the profile, so a nightly ``thorough`` run would not run more.
"""

from __future__ import annotations

from hypothesis import settings

#: ``max_examples`` of the ``ci`` profile (tests/conftest.py), for which budgets are stated.
CI_EXAMPLES = 25


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile, scaled by the loaded profile's ``max_examples``."""
    loaded = settings.default
    budget = CI_EXAMPLES if loaded is None else loaded.max_examples
    return max(1, round(n * budget / CI_EXAMPLES))
