"""Canonical values -> error-tolerant tokens, per field type.

Tokens are plain strings; each field hashes its tokens with its own subkey, so
equal token text in two fields never collides. What each token type is for:

initials (canonical value: one or two letters, first given name + surname)
    ``position``      one token per letter and position: one wrong or missing
                      initial still shares the other.
    ``pair``          the two letters together: exact agreement weighs more.
    ``unordered``     the two letters sorted: swapped name order still agrees.
    ``letter_class``  a token per transliteration class the letter belongs to,
                      so that initials which Cyrillic (and other) transliteration
                      schemes disagree on partly agree: Yulia/Julia/Joelia
                      (E I J Y), Halyna/Galina (G H), Khrystyna/Christina/Kristina
                      (C K Q), Tsybulya/Cybulja and Chernenko/Tsjernenko (C T),
                      Zhanna/Sjanna (S Z), Vladimir/Wladimir (V W).

year (canonical value: an inclusive interval ``(lo, hi)`` of possible years)
    ``neighbourhood`` one token per year in ``[lo - radius, hi + radius]``: years
                      one apart share most tokens; an age (which gives a two-year
                      interval) still shares tokens with an exact year.
    ``exact``         the year itself, only when it is known exactly.

country (canonical value: ISO 3166 alpha-3 or one of the special codes)
    ``code``          the code.
    ``region``        the continent, so that related entries (a historic state
                      and its successors, neighbours confused by a reporter)
                      agree partly.

sex (canonical value: ``M``, ``F`` or ``X``)
    ``value``         the value.

text (canonical value: lower-case ASCII text; for general fields such as the
names and addresses of the FEBRL benchmark)
    ``bigram``        padded character bigrams ("_a", "an", "na", "a_"), as in
                      clkhash: typos change only a few bigrams.
    ``trigram``       padded character trigrams.
    ``exact``         the whole value.

A missing value yields no tokens at all: two unknowns never agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linkage.schema import FieldSpec

LETTER_CLASSES: dict[str, str] = {
    "EIJY": "EIJY",
    "GH": "GH",
    "CKQ": "CKQ",
    "CT": "CT",
    "SZ": "SZ",
    "VW": "VW",
}

_CLASSES_OF: dict[str, tuple[str, ...]] = {}
for _name, _letters in LETTER_CLASSES.items():
    for _ch in _letters:
        _CLASSES_OF[_ch] = _CLASSES_OF.get(_ch, ()) + (_name,)


def letter_classes(letter: str) -> tuple[str, ...]:
    """Transliteration classes a letter belongs to (empty for most letters)."""
    return _CLASSES_OF.get(letter, ())


def initials_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    if "position" in token_types:
        out.extend(f"p{i}:{ch}" for i, ch in enumerate(value, start=1))
    if len(value) == 2:
        if "pair" in token_types:
            out.append(f"pair:{value}")
        if "unordered" in token_types:
            out.append("set:" + "".join(sorted(value)))
    if "letter_class" in token_types:
        for i, ch in enumerate(value, start=1):
            out.extend(f"c{i}:{cls}" for cls in letter_classes(ch))
    return out


def year_tokens(value: tuple[int, int], token_types: tuple[str, ...], radius: int) -> list[str]:
    lo, hi = value
    out: list[str] = []
    if "neighbourhood" in token_types:
        out.extend(f"n:{y}" for y in range(lo - radius, hi + radius + 1))
    if "exact" in token_types and lo == hi:
        out.append(f"x:{lo}")
    return out


def country_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    from linkage.normalise import nationality_region

    out: list[str] = []
    if "code" in token_types:
        out.append(f"c:{value}")
    if "region" in token_types:
        out.append(f"r:{nationality_region(value)}")
    return out


def sex_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    return [f"s:{value}"] if "value" in token_types else []


def qgrams(value: str, q: int) -> list[str]:
    """Padded character q-grams, duplicates removed, in order of appearance."""
    padded = "_" * (q - 1) + value + "_" * (q - 1)
    seen: dict[str, None] = {}
    for i in range(len(padded) - q + 1):
        seen.setdefault(padded[i : i + q], None)
    return list(seen)


def text_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    if "bigram" in token_types:
        out.extend("b:" + g for g in qgrams(value, 2))
    if "trigram" in token_types:
        out.extend("t:" + g for g in qgrams(value, 3))
    if "exact" in token_types:
        out.append("x:" + value)
    return out


def tokeniser(spec: FieldSpec) -> Callable[[Any], list[str]]:
    """A function from one canonical value (or ``None``) to its token list."""
    types = spec.tokens
    if spec.type == "initials":
        return lambda v: [] if v is None else initials_tokens(v, types)
    if spec.type == "year":
        radius = int(spec.normalisation.get("radius", 1))
        return lambda v: [] if v is None else year_tokens(v, types, radius)
    if spec.type == "country":
        return lambda v: [] if v is None else country_tokens(v, types)
    if spec.type == "sex":
        return lambda v: [] if v is None else sex_tokens(v, types)
    if spec.type == "text":
        return lambda v: [] if v is None else text_tokens(v, types)
    raise ValueError(f"unknown field type {spec.type!r}")  # pragma: no cover - schema validation stops this
