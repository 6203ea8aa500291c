"""Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE`` (loaded by conftest.py before any test):

* ``ci`` (the default, used by ``make test``): derandomized, so every run draws the same examples
  and a failure reproduces; no example database; each property test runs the number of examples
  it asks for through `examples` (50 when it does not say: the draws are the same at every
  run, so a larger default adds minutes, not coverage over time; ``thorough`` hunts).
* ``thorough`` (``make thorough``): random, ten times the examples a test asks for (1,000 when
  it does not say), for hunting; a failure prints the blob that replays it
  (``@reproduce_failure``).

Deadlines are off in both: the machines are shared and noisy, and a slow example is not a wrong one.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_SCALE = {"ci": 1, "thorough": 10}

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=50, print_blob=True
)
settings.register_profile(
    "thorough", derandomize=False, deadline=None, max_examples=1_000, print_blob=True
)
if PROFILE not in _SCALE:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: one of {', '.join(_SCALE)}")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """How many examples a property test that asks for ``n`` runs under the active profile."""
    return n * _SCALE[PROFILE]
