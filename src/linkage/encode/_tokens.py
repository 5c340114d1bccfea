"""Canonical values -> error-tolerant tokens: each field's type says which (:mod:`linkage.fieldtypes`).

Tokens are plain strings; each field hashes its tokens with its own subkey, so
equal token text in two fields never collides. A missing value yields no
tokens at all: two unknowns never agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linkage.fieldtypes import field_type
from linkage.schema import FieldSpec

__all__ = ["tokeniser"]


def tokeniser(spec: FieldSpec) -> Callable[[Any], list[str]]:
    """A function from one canonical value (or ``None``) to its token list."""
    ft = field_type(spec.type)
    return lambda v: [] if v is None else ft.tokens(spec, v)
