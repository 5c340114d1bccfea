"""The attack tests attack the *unhardened* profile unless they say otherwise."""

from __future__ import annotations

import pytest

import linkage


@pytest.fixture(scope="session")
def schema() -> linkage.Schema:
    return linkage.default_schema(hardened=False)
