"""Field type ``country``: a nationality (or another country of a person).

Read from the column named like the field (``nationality``): ISO 3166-1
alpha-2/alpha-3, English or Dutch names and adjectives, historic states,
stateless (see :func:`linkage.normalise.normalise_nationality`). Canonical
value: ISO 3166 alpha-3 or one of the special codes.

Tokens:

``code``    the code.
``region``  the continent, so that related entries (a historic state and its
            successors, neighbours confused by a reporter) agree partly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from linkage.errors import Problem
from linkage.fieldtypes._base import ColumnReader, FieldType, read_single_column, register_field_type

if TYPE_CHECKING:  # pragma: no cover
    from linkage.schema import FieldSpec

__all__ = ["Country", "country_tokens"]


def country_tokens(value: str, token_types: tuple[str, ...]) -> list[str]:
    """Tokens of a canonical country code (see the module docstring)."""
    from linkage.normalise import nationality_region

    out: list[str] = []
    if "code" in token_types:
        out.append(f"c:{value}")
    if "region" in token_types:
        out.append(f"r:{nationality_region(value)}")
    return out


class Country(FieldType):
    name: ClassVar[str] = "country"
    token_types: ClassVar[tuple[str, ...]] = ("code", "region")
    normalisation_schema: ClassVar[dict[str, Any]] = {
        "codes": {"enum": ["iso3166-alpha3"]},
        "historic": {"enum": ["keep"]},
    }
    normalisation_defaults: ClassVar[dict[str, Any]] = {"codes": "iso3166-alpha3", "historic": "keep"}

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        from linkage.normalise import resolve_nationality

        return read_single_column(spec, columns, n, problems, resolve_nationality)

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        return country_tokens(str(value), spec.tokens)


register_field_type(Country())
