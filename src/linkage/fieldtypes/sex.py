"""Field type ``sex``: ``M``, ``F`` or ``X``.

Read from the column named like the field (``sex``): M/F/X or Dutch/English
words (man, vrouw, V, male, ...; see :func:`linkage.normalise.normalise_sex`).
The schema's ``values`` lists the canonical values it allows.

Tokens: ``value``, the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from linkage.errors import Problem
from linkage.fieldtypes._base import ColumnReader, FieldType, read_single_column, register_field_type

if TYPE_CHECKING:  # pragma: no cover
    from linkage.schema import FieldSpec

__all__ = ["Sex"]


class Sex(FieldType):
    name: ClassVar[str] = "sex"
    token_types: ClassVar[tuple[str, ...]] = ("value",)
    normalisation_schema: ClassVar[dict[str, Any]] = {"values": {"const": ["M", "F", "X"]}}
    normalisation_defaults: ClassVar[dict[str, Any]] = {"values": ["M", "F", "X"]}

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        from linkage.normalise import resolve_sex

        allowed = spec.normalisation.get("values")
        return read_single_column(
            spec, columns, n, problems, resolve_sex,
            allowed=tuple(allowed) if isinstance(allowed, (list, tuple)) else None,
        )

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        return [f"s:{value}"] if "value" in spec.tokens else []


register_field_type(Sex())
