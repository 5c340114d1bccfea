"""Shared text helpers: missing-value detection and transliteration to ASCII.

Transliteration is Unicode NFKC followed by ``anyascii`` (the schema's
``transliteration: "anyascii"``). Before transliterating, characters that are
neither letters, combining marks, digits, punctuation nor spaces (emoji,
currency and maths symbols, control characters) are replaced by a space, so
that ``anyascii``'s spelled-out names for symbols (``":grinning:"``) can never
turn into letters of a name.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
from anyascii import anyascii

__all__ = ["UNKNOWN_TEXTS", "is_missing", "is_unknown_text", "to_ascii"]

#: Texts that mean "unknown" in any field (compared lower-case, spaces collapsed). Each
#: field type may know more (``U`` for sex, ``XX`` for nationality, ``N.N.`` for names).
UNKNOWN_TEXTS = frozenset(
    {
        "?", "??", "???", "-", "--", "---", "onbekend", "onb", "onb.", "unknown", "niet bekend", "not known",
        "nvt", "n.v.t", "n.v.t.", "n/a", "niet opgegeven", "not stated", "niet ingevuld",
    }
)

# Unicode general categories kept as they are before transliteration:
# letters (L*), marks (M*), numbers (N*), punctuation (P*) and separators (Z*).
_KEPT_CATEGORY_PREFIXES = ("L", "M", "N", "P", "Z")


def is_missing(value: object) -> bool:
    """True for ``None``, NaN, ``pd.NA``, ``NaT`` and empty or all-space strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):  # also numpy.float64
        return math.isnan(value)
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def is_unknown_text(value: object) -> bool:
    """True for text that says the value is unknown (``onbekend``, ``unknown``, ``?``, ``n.v.t.``, ...)."""
    return isinstance(value, str) and " ".join(value.strip().lower().split()) in UNKNOWN_TEXTS


@lru_cache(maxsize=65536)
def to_ascii(text: str) -> str:
    """NFKC-normalise ``text``, drop symbols and transliterate it to ASCII."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    kept = "".join(
        ch if unicodedata.category(ch).startswith(_KEPT_CATEGORY_PREFIXES) else " "
        for ch in text
    )
    return anyascii(kept)
