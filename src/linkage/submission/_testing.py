"""Test-only: make a submission's random parts reproducible, to compare two implementations byte for byte.

A submission's record ids and submission id are random and its header carries
the time it was made, so two runs never give the same bytes. Tests that check
the reporter page against ``linkage encode`` (``tests/reporter_page/``) fix
both, on both sides, with the same seed: record ids and submission id come
from :func:`linkage.submission._format.test_stream` instead of the operating
system's CSPRNG. Nothing outside the test suite uses this module; real
submissions always get fresh random ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from linkage.errors import LinkageError
from linkage.submission._format import _TEST_RANDOMNESS

__all__ = ["seeded_randomness"]


@contextmanager
def seeded_randomness(seed: bytes, created: str) -> Iterator[None]:
    """Within the block, submissions get ids from ``seed`` and the creation time ``created``."""
    if not isinstance(seed, bytes) or len(seed) < 16:
        raise LinkageError("the test seed must be at least 16 bytes")
    token = _TEST_RANDOMNESS.set((seed, created))
    try:
        yield
    finally:
        _TEST_RANDOMNESS.reset(token)
