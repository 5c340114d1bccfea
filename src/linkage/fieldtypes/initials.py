"""Field type ``initials``: the first two initials (first given name, surname).

Read from ``given_names`` + ``surname`` when either is present in the row, else
``full_name``, else the column named like the field (``"A.P."``, ``"ap"``).
Canonical value: one or two letters ``A``-``Z``.

Tokens:

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
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any, ClassVar

from linkage.errors import Problem
from linkage.fieldtypes._base import ColumnReader, FieldType, background_order, register_field_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from linkage.schema import FieldSpec

__all__ = ["LETTER_CLASSES", "Initials", "initials_tokens", "letter_classes"]

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
    """Tokens of canonical initials (see the module docstring)."""
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


class Initials(FieldType):
    name: ClassVar[str] = "initials"
    token_types: ClassVar[tuple[str, ...]] = ("position", "pair", "unordered", "letter_class")
    normalisation_schema: ClassVar[dict[str, Any]] = {
        "letters": {"const": 2},
        "transliteration": {"enum": ["anyascii"]},
        "surname_prefixes": {"enum": ["dutch"]},
    }
    normalisation_defaults: ClassVar[dict[str, Any]] = {
        "letters": 2, "transliteration": "anyascii", "surname_prefixes": "dutch",
    }
    source_columns: ClassVar[tuple[str, ...]] = ("given_names", "surname", "full_name")

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        from linkage.normalise import given_name_initial, initials_from_name, parse_initials, surname_initial
        from linkage.normalise.cells import CellFailure, clean, memo, require_text

        given_label, given = columns.values("given_names")
        surname_label, surname = columns.values("surname")
        full_label, full = columns.values("full_name")
        init_label, init = columns.values(spec.name)
        given_fn = memo(lambda v: given_name_initial(require_text(v, "given names")))
        surname_fn = memo(lambda v: surname_initial(require_text(v, "a surname")))
        full_fn = memo(lambda v: initials_from_name(require_text(v, "a full name")))
        init_fn = memo(lambda v: parse_initials(require_text(v, "initials")))
        out: list[object] = [None] * n
        for i in range(n):
            g = clean(given[i]) if given is not None else None
            s = clean(surname[i]) if surname is not None else None
            if g is not None or s is not None:
                parts: list[str] = []
                failed = False
                for value, fn, label in ((g, given_fn, given_label), (s, surname_fn, surname_label)):
                    if value is None:
                        continue
                    letter = fn(value)
                    if isinstance(letter, CellFailure):
                        problems.append(Problem(i + 1, str(label), letter.error.reason))
                        failed = True
                        continue
                    if letter is not None:
                        parts.append(str(letter))
                if not failed:
                    out[i] = "".join(parts) or None
                continue
            for column, fn, label in ((full, full_fn, full_label), (init, init_fn, init_label)):
                if column is None:
                    continue
                value = clean(column[i])
                if value is None:
                    continue
                result = fn(value)
                if isinstance(result, CellFailure):
                    problems.append(Problem(i + 1, str(label), result.error.reason))
                else:
                    out[i] = result
                break
        return out

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        return initials_tokens(str(value), spec.tokens)

    def candidates(
        self, spec: FieldSpec, background: pd.Series | None, **options: Any
    ) -> tuple[list[Any], tuple[Any, ...]]:
        """Every initial pair over A-Z (and any other letter the background shows), plus single letters.

        Background values come first, by frequency; the rest follow in alphabetical order.
        """
        values = candidate_initials(background, letters=int(spec.normalisation.get("letters", 2)))
        return list(values), tuple(values)


def candidate_initials(background: pd.Series | None, *, letters: int = 2) -> list[str]:
    """Initials an attacker enumerates: background values by frequency, then the rest of A-Z (pairs and singles)."""
    seen = background_order(background)
    alphabet = sorted(set(string.ascii_uppercase) | {ch for v in seen for ch in str(v)})
    space = list(alphabet)
    if letters >= 2:
        space += [a + b for a in alphabet for b in alphabet]
    allowed = set(space)
    ordered = list(dict.fromkeys(str(v) for v in seen if str(v) in allowed))
    rest = sorted(allowed - set(ordered))
    return ordered + rest


register_field_type(Initials())
