"""Field type ``text``: general text (names and addresses of the FEBRL benchmark).

Read from the column named like the field. Canonical value: lower-case ASCII
text (transliterated), spaces removed or collapsed (``strip``).

Tokens:

``bigram``   padded character bigrams ("_a", "an", "na", "a_"), as in clkhash:
             typos change only a few bigrams.
``trigram``  padded character trigrams.
``exact``    the whole value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from linkage.errors import Problem
from linkage.fieldtypes._base import ColumnReader, FieldType, read_single_column, register_field_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from linkage.schema import FieldSpec

__all__ = ["Text", "qgrams", "text_tokens"]


def qgrams(value: str, q: int) -> list[str]:
    """Padded character q-grams, duplicates removed, in order of appearance."""
    padded = "_" * (q - 1) + value + "_" * (q - 1)
    seen: dict[str, None] = {}
    for i in range(len(padded) - q + 1):
        seen.setdefault(padded[i : i + q], None)
    return list(seen)


def text_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    """Tokens of canonical text (see the module docstring)."""
    out: list[str] = []
    if "bigram" in token_types:
        out.extend("b:" + g for g in qgrams(value, 2))
    if "trigram" in token_types:
        out.extend("t:" + g for g in qgrams(value, 3))
    if "exact" in token_types:
        out.append("x:" + value)
    return out


class Text(FieldType):
    name: ClassVar[str] = "text"
    token_types: ClassVar[tuple[str, ...]] = ("bigram", "trigram", "exact")
    normalisation_schema: ClassVar[dict[str, Any]] = {
        "transliteration": {"enum": ["anyascii"]},
        "case": {"enum": ["lower"]},
        "strip": {"enum": ["spaces", "none"]},
    }
    normalisation_defaults: ClassVar[dict[str, Any]] = {
        "transliteration": "anyascii", "case": "lower", "strip": "spaces",
    }

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        from linkage.normalise import to_ascii

        strip = spec.normalisation.get("strip", "spaces")

        def resolve(value: object) -> str | None:
            text = to_ascii(str(value)).lower()
            text = "".join(text.split()) if strip == "spaces" else " ".join(text.split())
            return text or None

        return read_single_column(spec, columns, n, problems, resolve)

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        return text_tokens(str(value), spec.tokens)

    def candidates(
        self, spec: FieldSpec, background: pd.Series | None, **options: Any
    ) -> tuple[list[Any], tuple[Any, ...]]:
        raise ValueError("the dictionary attack does not enumerate fields of type 'text'")


register_field_type(Text())
