"""Shared pytest configuration: hypothesis profiles.

Profiles (select with ``HYPOTHESIS_PROFILE=<name>``):

* ``ci`` (default): derandomized, modest example counts, no deadline, no example database --
  every run draws the same examples, so CI is reproducible;
* ``dev``: random seeds and more examples, for local bug hunting;
* ``thorough``: many examples, for a nightly run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "base",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
_base = settings.get_profile("base")
settings.register_profile("ci", parent=_base, max_examples=25, derandomize=True, database=None)
settings.register_profile("dev", parent=_base, max_examples=60)
settings.register_profile("thorough", parent=_base, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
